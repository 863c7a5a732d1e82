/**
 * Security headers on every answer: a strict Content-Security-Policy (on HTML pages only this
 * origin's scripts, styles and connections, no inline script; on every other answer nothing;
 * no framing anywhere), `nosniff` so a JSON
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

/** The Content-Security-Policy of an HTML page (the dashboard, the login page, the API docs). */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/**
 * The Content-Security-Policy of every other answer (JSON, event streams, the dashboard's
 * files): nothing may load from it or frame it, as OWASP's REST cheat sheet advises for an
 * API. Stricter than the page's, and short: with it a 202 leaves in one write (Deno sends an
 * answer over about 512 bytes in two).
 */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** The headers of every answer, besides CORS and the Content-Security-Policy. */
const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
  // Not "no-referrer": under it browsers send `Origin: null` with a page's own form posts
  // (the login form among them), which the cross-site guard must refuse. Other sites
  // still get no referrer, so job ids in URLs never leave.
  ["Referrer-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
];

/**
 * Sets the security headers on an answer's headers, its `content-type` already set.
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
  const page = headers.get("content-type")?.startsWith("text/html") ?? false;
  headers.set(
    "Content-Security-Policy",
    page ? PAGE_CONTENT_SECURITY_POLICY : API_CONTENT_SECURITY_POLICY,
  );
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
