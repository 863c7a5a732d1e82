/**
 * Security headers on every answer: a strict Content-Security-Policy (only this origin's
 * scripts, styles and connections; no inline script, no framing), `nosniff` so a JSON
 * answer holding `<script>` is never run as HTML, and no referrer to other sites. CORS is off unless
 * origins are configured; then only those origins get CORS headers.
 *
 * @example
 * ```ts ignore
 * app.use("*", securityHeaders());
 * ```
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

/** The Content-Security-Policy of every answer. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** The headers of every answer, besides CORS. */
const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["Content-Security-Policy", CONTENT_SECURITY_POLICY],
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
  // Not "no-referrer": under it browsers send `Origin: null` with a page's own form posts
  // (the login form among them), which the cross-site guard must refuse. Other sites
  // still get no referrer, so job ids in URLs never leave.
  ["Referrer-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
];

/**
 * Sets the security headers on an answer's headers.
 *
 * @example
 * ```ts
 * import { setSecurityHeaders } from "./headers.ts";
 * const headers = new Headers();
 * setSecurityHeaders(headers);
 * console.assert(headers.get("X-Frame-Options") === "DENY");
 * ```
 */
export function setSecurityHeaders(headers: Headers): void {
  for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
}

/**
 * Middleware setting the security headers on every answer.
 *
 * @example
 * ```ts ignore
 * app.use("*", securityHeaders());
 * ```
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    setSecurityHeaders(c.res.headers);
  };
}

/**
 * CORS for the configured origins only (credentials excluded: browsers elsewhere use
 * bearer tokens, never the session cookie).
 *
 * @example
 * ```ts ignore
 * app.use("*", corsFor(["https://admin.example.com"]));
 * ```
 */
export function corsFor(origins: string[]): MiddlewareHandler {
  return cors({
    origin: origins,
    allowHeaders: ["Authorization", "Content-Type"],
    allowMethods: ["GET", "POST", "DELETE", "PUT", "PATCH"],
    maxAge: 600,
  });
}
