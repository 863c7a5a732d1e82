/**
 * `GET /login`, `POST /login` and `POST /logout`: the dashboard asks for the token once
 * and starts a session kept in the store (`sessions.ts`), whose id an HttpOnly cookie holds
 * (`cookies.ts`); logout ends that session in the store, not only in the browser.
 *
 * @example
 * ```ts ignore
 * loginRoutes(app, sessions);
 * ```
 * @module
 */
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { LimitExceededError } from "../../errors.ts";
import { endSession, sessionId, setSession } from "./cookies.ts";
import { loginPage, safeNext } from "./login_page.ts";
import { url } from "../base_path.ts";
import type { Sessions } from "./sessions.ts";

/** Largest login form read. */
const MAX_LOGIN_BYTES = 4_096;

/**
 * Adds the login and logout routes to `app`.
 *
 * @example
 * ```ts ignore
 * loginRoutes(app, new Sessions(store, clock, { admin: [token], read: [] }));
 * ```
 */
// deno-lint-ignore no-explicit-any
export function loginRoutes(app: Hono<any>, sessions: Sessions): void {
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
    const session = await sessions.create(token);
    if (session === null) {
      return c.html(loginPage({ next, error: "That token is not valid." }), 401);
    }
    setSession(c, session);
    return c.redirect(safeNext(next), 303);
  });

  app.post("/logout", async (c) => {
    const id = sessionId(c);
    if (id !== undefined) await sessions.revoke(id);
    endSession(c);
    return c.redirect(url("/login"), 303);
  });
}
