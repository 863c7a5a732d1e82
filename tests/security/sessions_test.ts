/**
 * Dashboard sessions (issue #14, cases 6 and 7): the cookie holds a random session id kept
 * in the store, never the token; logout, expiry and token rotation end the session on the
 * server, so a copied cookie stops working; `next` after login never leaves this origin.
 * Each store-backed case runs on KV and on Redis.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { FakeClock } from "../../src/clock.ts";
import { createApp } from "../../src/http/mod.ts";
import { SESSION_MS } from "../../src/http/auth/sessions.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { registry } from "../../tasks/mod.ts";
import { assert, assertEquals } from "../assert.ts";
import {
  ADMIN,
  login,
  ORIGIN,
  READER,
  sameOrigin,
  STORES,
  TOKENS,
  withSecureApi,
} from "./secure_api.ts";

const queues = (app: OpenAPIHono, cookie: string) =>
  app.request(`${ORIGIN}/queues`, { headers: { cookie } });

for (const kind of STORES) {
  Deno.test(`${kind}: the session cookie holds a random id, never the token`, async () => {
    await withSecureApi({ tokens: TOKENS }, async ({ app }) => {
      const first = await login(app, ADMIN);
      const second = await login(app, ADMIN);
      for (const { cookies } of [first, second]) {
        assert(!cookies.some((c) => c.includes(ADMIN)), `a cookie holds the token: ${cookies}`);
        const session = cookies.find((c) => c.startsWith("tq_session="))!;
        assert(/HttpOnly/i.test(session) && /SameSite=Strict/i.test(session), session);
      }
      assert(first.cookie !== second.cookie, "each login gets its own session");
      assertEquals((await queues(app, first.cookie)).status, 200);
      const forged = "tq_session=" + "A".repeat(43);
      assertEquals((await queues(app, forged)).status, 401, "an id never issued");
      assertEquals((await queues(app, `tq_token=${ADMIN}`)).status, 401, "the old cookie");
    }, { store: kind });
  });

  Deno.test(`${kind}: logout ends the session on the server; a copied cookie stops working`, async () => {
    await withSecureApi({ tokens: TOKENS }, async ({ app }) => {
      const kept = await login(app, ADMIN);
      const other = await login(app, ADMIN);
      const logout = await app.request(`${ORIGIN}/logout`, {
        method: "POST",
        headers: { cookie: kept.cookie, ...sameOrigin },
      });
      assertEquals(logout.status, 303);
      const res = await queues(app, kept.cookie);
      const { error } = await res.json();
      assertEquals([res.status, error.code], [401, "unauthorized"], "the copied cookie");
      assert(error.message.includes("session has ended"), error.message);
      assertEquals((await queues(app, other.cookie)).status, 200, "other sessions go on");
    }, { store: kind });
  });

  Deno.test(`${kind}: a session ends after ${SESSION_MS / 3_600_000} h`, async () => {
    const clock = new FakeClock();
    await withSecureApi({ tokens: TOKENS }, async ({ app }) => {
      const { cookie } = await login(app, READER);
      clock.advance(SESSION_MS - 1_000);
      assertEquals((await queues(app, cookie)).status, 200);
      clock.advance(2_000);
      assertEquals((await queues(app, cookie)).status, 401);
    }, { store: kind, clock });
  });

  Deno.test(`${kind}: rotating a token out ends its sessions; a session keeps its token's role`, async () => {
    await withSecureApi({ tokens: TOKENS }, async ({ app, store }) => {
      const admin = await login(app, ADMIN);
      const reader = await login(app, READER);
      const change = (on: OpenAPIHono, { cookie, csrf }: { cookie: string; csrf: string }) =>
        on.request(`${ORIGIN}/jobs`, {
          method: "POST",
          body: JSON.stringify({ task: "noop", input: {} }),
          headers: { "content-type": "application/json", cookie, "x-tq-csrf": csrf, ...sameOrigin },
        });
      assertEquals((await change(app, admin)).status, 202);
      assertEquals((await change(app, reader)).status, 403, "a reader's session only reads");
      assertEquals((await change(app, { ...admin, csrf: reader.csrf })).status, 403, "csrf");

      // The same store, served again with the admin token rotated.
      const rotated = createApp({
        producer: new Producer({ store, registry }),
        store,
        registry,
        logger: silentLogger,
        security: { tokens: { admin: ["rotated-admin-0123456789abcdef"], read: [READER] } },
      });
      assertEquals((await queues(rotated, admin.cookie)).status, 401, "rotated out");
      assertEquals((await change(rotated, admin)).status, 401);
      assertEquals((await queues(rotated, reader.cookie)).status, 200, "its token still holds");
    }, { store: kind });
  });
}

Deno.test("login's next must resolve to this origin; control characters give / not 500", async () => {
  await withSecureApi({ tokens: TOKENS }, async ({ app }) => {
    const offsite = [
      "/\t/evil.example",
      "/%09/evil.example",
      "/%2F/evil.example",
      "//evil.example",
      "///evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "https://evil.example",
      "javascript:alert(1)",
      "/jobs\r\nSet-Cookie: x=1",
      "/jobs\nx",
      "/\u0000",
      "/%0d%0aLocation:%20https://evil.example",
      "/%E0%A4%A",
    ];
    for (const next of offsite) {
      const res = await app.request(`${ORIGIN}/login`, {
        method: "POST",
        body: new URLSearchParams({ token: ADMIN, next }),
        headers: sameOrigin,
      });
      assertEquals([res.status, res.headers.get("location")], [303, "/"], JSON.stringify(next));
      const page = await app.request(`${ORIGIN}/login?next=${encodeURIComponent(next)}`);
      assertEquals(page.status, 200, JSON.stringify(next));
      assert((await page.text()).includes('name="next" value="/"'), JSON.stringify(next));
    }
    for (const next of ["/jobs?status=failed", "/ui/jobs/01J#top", "/queues"]) {
      const res = await app.request(`${ORIGIN}/login`, {
        method: "POST",
        body: new URLSearchParams({ token: ADMIN, next }),
        headers: sameOrigin,
      });
      assertEquals(res.headers.get("location"), next);
    }
  });
});
