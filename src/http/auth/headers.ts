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
    c.res.headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    c.res.headers.set("X-Content-Type-Options", "nosniff");
    c.res.headers.set("X-Frame-Options", "DENY");
    // Not "no-referrer": under it browsers send `Origin: null` with a page's own form posts
    // (the login form among them), which the cross-site guard must refuse. Other sites
    // still get no referrer, so job ids in URLs never leave.
    c.res.headers.set("Referrer-Policy", "same-origin");
    c.res.headers.set("Cross-Origin-Resource-Policy", "same-origin");
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
