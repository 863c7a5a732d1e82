/**
 * The dashboard's session cookies. After login the browser holds the API token in
 * `tq_token` (HttpOnly: page scripts never see it; SameSite=Strict: other sites' requests
 * never carry it) and a random `tq_csrf` value that every change made with the cookie must
 * repeat, in the `X-TQ-CSRF` header (scripts) or the `_csrf` field (HTML forms): a forged
 * request from elsewhere cannot read the cookie, so it cannot repeat it (double submit).
 *
 * @example
 * ```ts ignore
 * import { setSession } from "./cookies.ts";
 * app.post("/login", (c) => { setSession(c, token); return c.redirect("/", 303); });
 * ```
 * @module
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

/** Holds the API token (HttpOnly). */
export const TOKEN_COOKIE = "tq_token";
/** Holds the CSRF value the dashboard echoes in {@linkcode CSRF_HEADER}. */
export const CSRF_COOKIE = "tq_csrf";
/** The header that must repeat the {@linkcode CSRF_COOKIE} on cookie-authenticated changes. */
export const CSRF_HEADER = "x-tq-csrf";

const SESSION_SECONDS = 12 * 3_600;

function secure(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" ||
    c.req.header("x-forwarded-proto") === "https";
}

/**
 * Starts a browser session holding `token`.
 *
 * @example
 * ```ts ignore
 * setSession(c, "0123456789abcdef");
 * ```
 */
export function setSession(c: Context, token: string): void {
  const options = {
    path: "/",
    sameSite: "Strict",
    secure: secure(c),
    maxAge: SESSION_SECONDS,
  } as const;
  setCookie(c, TOKEN_COOKIE, token, { ...options, httpOnly: true });
  const csrf = crypto.getRandomValues(new Uint8Array(18));
  setCookie(c, CSRF_COOKIE, btoa(String.fromCharCode(...csrf)).replace(/[+/=]/g, "_"), options);
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
  deleteCookie(c, TOKEN_COOKIE, { path: "/" });
  deleteCookie(c, CSRF_COOKIE, { path: "/" });
}

/**
 * The token of the session cookie, if any.
 *
 * @example
 * ```ts ignore
 * const token = sessionToken(c);
 * ```
 */
export function sessionToken(c: Context): string | undefined {
  return getCookie(c, TOKEN_COOKIE);
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
 * Whether a cookie-authenticated request repeats its CSRF cookie, in the `X-TQ-CSRF`
 * header or, from an HTML form, in the `_csrf` field.
 *
 * @example
 * ```ts ignore
 * if (!(await csrfMatches(c))) throw new ForbiddenError("missing X-TQ-CSRF");
 * ```
 */
export async function csrfMatches(c: Context): Promise<boolean> {
  const cookie = getCookie(c, CSRF_COOKIE);
  if (!cookie) return false;
  let sent = c.req.header(CSRF_HEADER);
  if (sent === undefined && FORM_TYPE.test(c.req.header("content-type") ?? "")) {
    // Read a copy: the route that follows reads the body again.
    const field = (await c.req.raw.clone().formData()).get(CSRF_FIELD);
    sent = typeof field === "string" ? field : undefined;
  }
  return sent === cookie;
}
