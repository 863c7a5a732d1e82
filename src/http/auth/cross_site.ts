/**
 * Refuses changes asked for by other web sites (CSRF), whatever the authentication. A
 * browser labels every request with `Sec-Fetch-Site` and, on POSTs, `Origin`; a request
 * that changes something (any method but GET, HEAD, OPTIONS) must come from this origin or
 * from one allowed for CORS. Clients that are not browsers (curl, SDKs) send neither header
 * and pass. Without this, any page could cancel jobs with a plain HTML form.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { crossSiteGuard } from "./cross_site.ts";
 * const app = new Hono().use("*", crossSiteGuard([])).post("/x", (c) => c.text("ok"));
 * app.onError((_, c) => c.text("refused", 403));
 * const res = await app.request("/x", { method: "POST", headers: { origin: "https://evil.example" } });
 * console.assert(res.status === 403);
 * ```
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { ForbiddenError } from "../../errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether `method` only reads.
 *
 * @example
 * ```ts
 * import { isSafeMethod } from "./cross_site.ts";
 * console.assert(isSafeMethod("GET") && !isSafeMethod("DELETE"));
 * ```
 */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/**
 * The reason to refuse `c` as cross-site, or null when it is not.
 *
 * @example
 * ```ts ignore
 * if (crossSiteReason(c, []) === null) console.log("not cross-site");
 * ```
 */
export function crossSiteReason(c: Context, allowedOrigins: string[]): string | null {
  const origin = c.req.header("origin");
  const site = c.req.header("sec-fetch-site");
  // A browser says `Origin: null` for its own page's posts under some referrer policies;
  // `Sec-Fetch-Site`, which no page can set, then tells.
  if (origin === "null" && site === "same-origin") return null;
  if (origin !== undefined) {
    if (origin === new URL(c.req.url).origin || allowedOrigins.includes(origin)) return null;
    return `requests from origin ${origin.slice(0, 200)} may not change anything here`;
  }
  if (site === undefined || site === "same-origin" || site === "none") return null;
  return `a ${site.slice(0, 20)} request may not change anything here`;
}

/**
 * Middleware refusing cross-site changes with 403 `forbidden`.
 *
 * @example
 * ```ts ignore
 * app.use("*", crossSiteGuard(["https://admin.example.com"]));
 * ```
 */
export function crossSiteGuard(allowedOrigins: string[]): MiddlewareHandler {
  return async (c, next) => {
    if (!isSafeMethod(c.req.method)) {
      const reason = crossSiteReason(c, allowedOrigins);
      if (reason) throw new ForbiddenError(reason);
    }
    await next();
  };
}
