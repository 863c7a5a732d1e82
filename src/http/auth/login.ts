/**
 * `GET /login`, `POST /login` and `POST /logout`: the dashboard asks for the token once
 * and keeps it in an HttpOnly cookie (see `cookies.ts`).
 *
 * @example
 * ```ts ignore
 * loginRoutes(app, tokens);
 * ```
 * @module
 */
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { LimitExceededError } from "../../errors.ts";
import { endSession, setSession } from "./cookies.ts";
import { loginPage, safeNext } from "./login_page.ts";
import { type ApiTokens, tokenRole } from "./tokens.ts";
import { url } from "../base_path.ts";

/** Largest login form read. */
const MAX_LOGIN_BYTES = 4_096;

/**
 * Adds the login and logout routes to `app`.
 *
 * @example
 * ```ts ignore
 * loginRoutes(app, { admin: [token], read: [] });
 * ```
 */
// deno-lint-ignore no-explicit-any
export function loginRoutes(app: Hono<any>, tokens: ApiTokens): void {
  app.get("/login", (c) => c.html(loginPage({ next: c.req.query("next") })));

  const limit = bodyLimit({
    maxSize: MAX_LOGIN_BYTES,
    onError() {
      throw new LimitExceededError(
        "login_body_bytes",
        MAX_LOGIN_BYTES,
        `a login form is at most ${MAX_LOGIN_BYTES} bytes`,
      );
    },
  });

  app.post("/login", limit, async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token : "";
    const next = typeof form.next === "string" ? form.next : undefined;
    if (tokenRole(tokens, token) === null) {
      return c.html(loginPage({ next, error: "That token is not valid." }), 401);
    }
    setSession(c, token);
    return c.redirect(safeNext(next), 303);
  });

  app.post("/logout", (c) => {
    endSession(c);
    return c.redirect(url("/login"), 303);
  });
}
