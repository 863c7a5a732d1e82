/**
 * The `Host` check against DNS rebinding. A tokenless server on loopback trusts whoever
 * reaches it; a web page the operator visits can reach it through a domain whose DNS
 * answer changes to 127.0.0.1, but its requests then carry that domain in `Host`. So,
 * when a list of allowed hosts is set, a request is served only if its `Host` is
 * `localhost`, an IP address (a rebinding domain is never an IP literal), or one of the
 * allowed names (`name`, or `name:port` to pin the port too); anything else gets 421 JSON
 * naming `--allowed-host`. `tq serve` and `tq start` set the list whenever no token is
 * configured (or `--allowed-host` is given); `createApp` without `allowedHosts` checks
 * nothing, so an app mounted in another server keeps that server's own rules.
 *
 * @example
 * ```ts
 * import { hostAllowed } from "./host_check.ts";
 * console.assert(hostAllowed("localhost:8000", []) && hostAllowed("[::1]:8000", []));
 * console.assert(!hostAllowed("evil.example:8000", []));
 * console.assert(hostAllowed("tq.internal:8000", ["tq.internal"]));
 * ```
 * @module
 */
import type { MiddlewareHandler } from "hono";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Whether a request whose `Host` is `host` may be served, given the allowed names.
 *
 * @example
 * ```ts
 * import { hostAllowed } from "./host_check.ts";
 * console.assert(hostAllowed("127.0.0.1:8000", []) && !hostAllowed("localhost.evil", []));
 * ```
 */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const full = host.trim().toLowerCase().replace(/\.(?=:\d+$|$)/, "");
  if (full === "") return false;
  if (/^\[[0-9a-f:.]+\](:\d+)?$/.test(full)) return true; // an IPv6 literal
  const name = full.replace(/:\d+$/, "");
  if (IPV4.test(name) || name === "localhost") return true;
  return allowed.some((entry) => {
    const wanted = entry.toLowerCase().replace(/\.$/, "");
    return wanted === name || wanted === full;
  });
}

/**
 * Middleware answering 421 to a request whose `Host` is not allowed (see the module doc).
 *
 * @example
 * ```ts ignore
 * app.use("*", hostCheck(["tq.example.com"]));
 * ```
 */
export function hostCheck(allowed: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("host") ?? new URL(c.req.url).host;
    if (!hostAllowed(host, allowed)) {
      const shown = JSON.stringify(host.slice(0, 100));
      return c.json({
        error: {
          code: "misdirected_request",
          message: `Host ${shown} is not served here: without an API token tq answers only ` +
            `localhost and IP addresses (DNS rebinding). Behind a reverse proxy or under ` +
            `another name, start tq with --allowed-host NAME (repeatable; env ` +
            `TQ_ALLOWED_HOSTS, comma-separated)`,
          host: host.slice(0, 100),
        },
      }, 421);
    }
    await next();
  };
}
