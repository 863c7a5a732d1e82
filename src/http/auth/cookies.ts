/**
 * The dashboard's session cookies. After login the browser holds a random session id in
 * `tq_session` (HttpOnly: page scripts never see it; SameSite=Strict: other sites' requests
 * never carry it; the session itself is kept in the store, see `sessions.ts`, and the
 * cookie never holds an API token) and the session's `tq_csrf` value that every change
 * made with the cookie must repeat, in the `X-TQ-CSRF` header (scripts) or the `_csrf`
 * field (HTML forms): a forged request from elsewhere cannot read the cookie, so it cannot
 * repeat it, and the value must be the one the store keeps for the session.
 *
 * @example
 * ```ts ignore
 * import { setSession } from "./cookies.ts";
 * app.post("/login", (c) => { setSession(c, session); return c.redirect("/", 303); });
 * ```
 * @module
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

/** Holds the session id (HttpOnly). */
export const SESSION_COOKIE = "tq_session";
/** Holds the CSRF value the dashboard echoes in {@linkcode CSRF_HEADER}. */
export const CSRF_COOKIE = "tq_csrf";
/** The header that must repeat the {@linkcode CSRF_COOKIE} on cookie-authenticated changes. */
export const CSRF_HEADER = "x-tq-csrf";

import { SESSION_MS } from "./sessions.ts";

function secure(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" ||
    c.req.header("x-forwarded-proto") === "https";
}

/**
 * Gives the browser the cookies of a session made by `Sessions.create`.
 *
 * @example
 * ```ts ignore
 * setSession(c, await sessions.create(token));
 * ```
 */
export function setSession(c: Context, session: { id: string; csrf: string }): void {
  const options = {
    path: "/",
    sameSite: "Strict",
    secure: secure(c),
    maxAge: SESSION_MS / 1_000,
  } as const;
  setCookie(c, SESSION_COOKIE, session.id, { ...options, httpOnly: true });
  setCookie(c, CSRF_COOKIE, session.csrf, options);
}

/**
 * Ends the browser session.
 *
 * @example
 * ```ts ignore
 * endSession(c);
 * ```
 */
export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
  deleteCookie(c, CSRF_COOKIE, { path: "/" });
}

/**
 * The session id of the cookie, if any.
 *
 * @example
 * ```ts ignore
 * const id = sessionId(c);
 * ```
 */
export function sessionId(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

/** The form field that may carry the CSRF value instead of the header (plain HTML forms). */
export const CSRF_FIELD = "_csrf";

const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i;

/**
 * The session's CSRF value, for a page to put in its forms' {@linkcode CSRF_FIELD}.
 *
 * @example
 * ```ts ignore
 * const field = `<input type="hidden" name="_csrf" value="${csrfValue(c) ?? ""}">`;
 * ```
 */
export function csrfValue(c: Context): string | undefined {
  return getCookie(c, CSRF_COOKIE);
}

/**
 * Whether a cookie-authenticated request repeats its session's CSRF value (`expected`,
 * also in the `tq_csrf` cookie), in the `X-TQ-CSRF` header or, from an HTML form, in the
 * `_csrf` field.
 *
 * @example
 * ```ts ignore
 * if (!(await csrfMatches(c, session.csrf))) throw new ForbiddenError("missing X-TQ-CSRF");
 * ```
 */
export async function csrfMatches(c: Context, expected: string): Promise<boolean> {
  const cookie = getCookie(c, CSRF_COOKIE);
  if (!cookie || cookie !== expected) return false;
  let sent = c.req.header(CSRF_HEADER);
  if (sent === undefined && FORM_TYPE.test(c.req.header("content-type") ?? "")) {
    // Read a copy: the route that follows reads the body again.
    const field = (await c.req.raw.clone().formData()).get(CSRF_FIELD);
    sent = typeof field === "string" ? field : undefined;
  }
  return sent === cookie;
}
