/**
 * Bearer-token authentication for every route but `/healthz` and the login page. A
 * request carries its token as `Authorization: Bearer <token>`, or, from the dashboard,
 * a session cookie naming a session kept in the store (`sessions.ts`). Without a valid one: 401 JSON (a browser asking for a page gets
 * the login form instead, still 401). A read-only token may only read (403 otherwise);
 * a cookie-authenticated change must also repeat its CSRF cookie (`cookies.ts`).
 *
 * @example
 * ```ts ignore
 * app.use("*", requireToken(tokens, new Sessions(store, systemClock, tokens)));
 * ```
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { ForbiddenError, UnauthorizedError } from "../../errors.ts";
import { CSRF_FIELD, CSRF_HEADER, csrfMatches, sessionId } from "./cookies.ts";
import { isSafeMethod } from "./cross_site.ts";
import { loginPage } from "./login_page.ts";
import { localPath, url } from "../base_path.ts";
import type { Sessions } from "./sessions.ts";
import { type ApiTokens, type Role, tokenRole } from "./tokens.ts";

/** Paths anyone may reach: the health check, login and logout (the cross-site guard still applies). */
export const OPEN_PATHS: ReadonlySet<string> = new Set(["/healthz", "/login", "/logout"]);

/**
 * The token of an `Authorization: Bearer <token>` header, if the request has one.
 *
 * @example
 * ```ts ignore
 * const token = bearer(c);
 * ```
 */
export function bearer(c: Context): string | undefined {
  const header = c.req.header("authorization");
  const match = header ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function wantsPage(c: Context): boolean {
  return c.req.method === "GET" && (c.req.header("accept") ?? "").includes("text/html");
}

/**
 * Middleware that lets through only requests with a valid token for what they ask.
 *
 * @example
 * ```ts ignore
 * app.use("*", requireToken(tokens, sessions));
 * ```
 */
export function requireToken(tokens: ApiTokens, sessions: Sessions): MiddlewareHandler {
  return async (c, next) => {
    if (OPEN_PATHS.has(localPath(c))) return await next();
    const header = bearer(c);
    const cookie = header === undefined ? sessionId(c) : undefined;
    const token = header ?? cookie;
    let role: Role | null = null;
    let csrf = "";
    if (header !== undefined) role = tokenRole(tokens, header);
    else if (cookie !== undefined) {
      const session = await sessions.resolve(cookie);
      if (session) ({ role, csrf } = session);
    }
    if (role === null) {
      if (wantsPage(c)) {
        return c.html(loginPage({ next: url(localPath(c)) + new URL(c.req.url).search }), 401);
      }
      c.header("WWW-Authenticate", 'Bearer realm="tq"');
      throw new UnauthorizedError(
        token === undefined
          ? "this API needs a token: send Authorization: Bearer <token>"
          : header === undefined
          ? "the session has ended (logged out, expired or its token rotated): log in again"
          : "the API token is not valid",
      );
    }
    if (!isSafeMethod(c.req.method)) {
      if (role !== "admin") {
        throw new ForbiddenError(
          "this token is read-only: enqueue, retry, cancel, delete and pause need an admin token",
        );
      }
      if (header === undefined && !(await csrfMatches(c, csrf))) {
        throw new ForbiddenError(
          `a change made with the session cookie must repeat the tq_csrf cookie in ` +
            `${CSRF_HEADER} or the ${CSRF_FIELD} form field`,
        );
      }
    }
    await next();
  };
}
