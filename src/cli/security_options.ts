/**
 * The security options of `tq serve` and `tq start`: API tokens (admin and read-only),
 * CORS origins, the refusal to listen beyond loopback without a token, and the `Host`
 * names a tokenless server answers (`--allowed-host`, against DNS rebinding).
 *
 * @example
 * ```ts ignore
 * const security = securitySettings(values, "0.0.0.0"); // throws without a token
 * ```
 * @module
 */
import { checkToken } from "../http/auth/tokens.ts";
import type { SecurityOptions } from "../http/auth/mod.ts";
import { UsageError } from "./args.ts";

/** Options shared by `serve` and `start`. */
export const SECURITY_OPTIONS = {
  "token-file": { type: "string" },
  "read-token-file": { type: "string" },
  "cors-origin": { type: "string", multiple: true },
  "allowed-host": { type: "string", multiple: true },
  insecure: { type: "boolean" },
} as const;

/** Help text for {@linkcode SECURITY_OPTIONS}. */
export const SECURITY_HELP =
  `  --token-file PATH       admin API token from a file (env TQ_API_TOKEN): every route
                          but /healthz then needs Authorization: Bearer <token>
  --read-token-file PATH  read-only token from a file (env TQ_READ_TOKEN): GET only
  --cors-origin ORIGIN    let browsers on ORIGIN call the API (repeatable; env
                          TQ_CORS_ORIGINS, comma-separated); no CORS by default
  --allowed-host NAME     also answer requests for Host NAME (or NAME:PORT), e.g. behind
                          a reverse proxy (repeatable; env TQ_ALLOWED_HOSTS, comma-
                          separated). Without a token tq answers only localhost and IP
                          addresses (421 otherwise: DNS rebinding); with one, any Host
                          unless this is given
  --insecure              listen beyond loopback without a token (not recommended)`;

/** The values `parse` returns for {@linkcode SECURITY_OPTIONS}. */
export interface SecurityValues {
  "token-file"?: string;
  "read-token-file"?: string;
  "cors-origin"?: string[];
  "allowed-host"?: string[];
  insecure?: boolean;
}

/**
 * Whether `hostname` only accepts connections from this machine.
 *
 * @example
 * ```ts
 * import { isLoopback } from "./security_options.ts";
 * console.assert(isLoopback("127.0.0.1") && !isLoopback("0.0.0.0"));
 * ```
 */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || hostname === "[::1]" ||
    /^127(\.\d{1,3}){3}$/.test(hostname);
}

function readToken(option: string, file: string | undefined, envName: string): string[] {
  try {
    if (file !== undefined) return [checkToken(option, Deno.readTextFileSync(file))];
    const fromEnv = Deno.env.get(envName);
    return fromEnv ? [checkToken(envName, fromEnv)] : [];
  } catch (error) {
    const message = error instanceof RangeError
      ? error.message
      : `${option}: cannot read ${file}: ${(error as Error).message}`;
    throw new UsageError(message);
  }
}

/**
 * The checked security settings for a server listening on `hostname`; throws a
 * `UsageError` for an unreadable or weak token, or for a non-loopback address without one.
 *
 * @example
 * ```ts ignore
 * const security = securitySettings({ "token-file": "/run/secrets/tq" }, "0.0.0.0");
 * ```
 */
export function securitySettings(values: SecurityValues, hostname: string): SecurityOptions {
  const tokens = {
    admin: readToken("--token-file", values["token-file"], "TQ_API_TOKEN"),
    read: readToken("--read-token-file", values["read-token-file"], "TQ_READ_TOKEN"),
  };
  if (tokens.read.length > 0 && tokens.admin.length === 0) {
    throw new UsageError("a read-only token needs an admin token too (TQ_API_TOKEN)");
  }
  if (tokens.admin.length === 0 && !isLoopback(hostname) && !values.insecure) {
    throw new UsageError(
      `refusing to listen on ${hostname} without an API token: set TQ_API_TOKEN or ` +
        `--token-file, or pass --insecure`,
    );
  }
  const corsOrigins = values["cors-origin"] ??
    (Deno.env.get("TQ_CORS_ORIGINS") ?? "").split(",").map((o) => o.trim()).filter(Boolean);
  for (const origin of corsOrigins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new UsageError(`--cors-origin: "${origin}" is not an origin like https://a.example`);
    }
  }
  const hosts = values["allowed-host"] ??
    (Deno.env.get("TQ_ALLOWED_HOSTS") ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  for (const host of hosts) {
    if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?(:\d{1,5})?$/i.test(host)) {
      throw new UsageError(`--allowed-host: "${host}" is not a host name like tq.example.com`);
    }
  }
  // Without a token, only localhost, IP addresses and these names (DNS rebinding).
  const checkHost = tokens.admin.length === 0 || hosts.length > 0;
  return { tokens, corsOrigins, ...(checkHost ? { allowedHosts: hosts } : {}) };
}
