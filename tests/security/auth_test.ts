/**
 * API tokens: who gets in, who may change things, and how the dashboard keeps its token.
 */
import { assert, assertEquals } from "../assert.ts";
import { ADMIN, documentedRoutes, READER, TOKENS, withSecureApi } from "./secure_api.ts";

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const json = { "content-type": "application/json" };

Deno.test("with a token set, every route but /healthz answers 401 JSON without it", async () => {
  await withSecureApi({ tokens: TOKENS }, async ({ app, seed, snapshot }) => {
    const id = await seed();
    const before = await snapshot();
    const routes = [...documentedRoutes(app, id), ["GET", "/no-such-route"]];
    assert(routes.length >= 8, `only ${routes.length} routes found`);
    for (const [method, path] of routes) {
      if (path === "/healthz") continue;
      for (
        const headers of [{}, bearer("wrong-token-0123456789abcdef"), { authorization: ADMIN }]
      ) {
        const res = await app.request(path, { method, headers: { ...json, ...headers } });
        const body = await res.json();
        assertEquals([res.status, body.error?.code], [401, "unauthorized"], `${method} ${path}`);
        assertEquals(res.headers.get("www-authenticate"), 'Bearer realm="tq"');
      }
    }
    assertEquals((await app.request("/healthz")).status, 200);
    assertEquals(await snapshot(), before, "nothing written by refused requests");
  });
});

Deno.test("the admin token may read and change; a read-only token may only read", async () => {
  await withSecureApi({ tokens: TOKENS }, async ({ app, seed, snapshot }) => {
    const id = await seed();
    for (const path of ["/jobs", `/jobs/${id}`, "/queues", "/tasks"]) {
      assertEquals((await app.request(path, { headers: bearer(READER) })).status, 200, path);
    }
    const before = await snapshot();
    const changes: [string, string, string?][] = [
      ["POST", "/jobs", JSON.stringify({ task: "noop", input: {} })],
      ["POST", "/tasks/noop", "{}"],
      ["POST", `/jobs/${id}/cancel`],
      ["POST", `/jobs/${id}/retry`],
      ["DELETE", `/jobs/${id}`],
    ];
    for (const [method, path, body] of changes) {
      const res = await app.request(path, {
        method,
        body,
        headers: { ...json, ...bearer(READER) },
      });
      const error = (await res.json()).error;
      assertEquals([res.status, error.code], [403, "forbidden"], `${method} ${path}`);
      assert(error.message.includes("read-only"), error.message);
    }
    assertEquals(await snapshot(), before, "a read-only token changed something");
    const res = await app.request("/jobs", {
      method: "POST",
      body: JSON.stringify({ task: "noop", input: {} }),
      headers: { ...json, ...bearer(ADMIN) },
    });
    assertEquals(res.status, 202);
  });
});

Deno.test("a browser without a token gets the login form, which sets an HttpOnly cookie", async () => {
  await withSecureApi({ tokens: TOKENS }, async ({ app }) => {
    const page = await app.request("/jobs?status=failed", { headers: { accept: "text/html" } });
    assertEquals(page.status, 401);
    const html = await page.text();
    assert(html.includes('<form method="post" action="/login">'), html);
    assert(html.includes('value="/jobs?status=failed"'), "the form comes back to the page");

    const form = (token: string) =>
      app.request("http://127.0.0.1/login", {
        method: "POST",
        body: new URLSearchParams({ token, next: "/jobs" }),
        headers: { origin: "http://127.0.0.1", "sec-fetch-site": "same-origin" },
      });
    const refused = await form("not-the-token-0123456789");
    assertEquals(refused.status, 401);
    assertEquals(refused.headers.get("set-cookie"), null);

    const login = await form(ADMIN);
    assertEquals([login.status, login.headers.get("location")], [303, "/jobs"]);
    const cookies = login.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("tq_session="))!;
    assert(!session.includes(ADMIN), "the cookie never holds the token");
    assert(/HttpOnly/i.test(session) && /SameSite=Strict/i.test(session), session);
    const csrf = cookies.find((c) => c.startsWith("tq_csrf="))!;
    assert(!/HttpOnly/i.test(csrf), "the dashboard's script must read the CSRF value");
    const cookie = [session, csrf].map((c) => c.split(";")[0]).join("; ");
    const csrfValue = csrf.split(";")[0].split("=")[1];

    assertEquals((await app.request("/queues", { headers: { cookie } })).status, 200);
    const change = (headers: Record<string, string>) =>
      app.request("http://127.0.0.1/jobs", {
        method: "POST",
        body: JSON.stringify({ task: "noop", input: {} }),
        headers: { ...json, cookie, origin: "http://127.0.0.1", ...headers },
      });
    const forged = await change({});
    assertEquals([forged.status, (await forged.json()).error.code], [403, "forbidden"]);
    assertEquals((await change({ "x-tq-csrf": "guessed" })).status, 403);
    assertEquals((await change({ "x-tq-csrf": csrfValue })).status, 202);
    const formPost = (field: string) =>
      app.request("http://127.0.0.1/tasks/noop", {
        method: "POST",
        body: new URLSearchParams({ _csrf: field }),
        headers: { cookie, origin: "http://127.0.0.1" },
      });
    assertEquals((await formPost("guessed")).status, 403, "an HTML form needs the _csrf field");
    assertEquals((await formPost(csrfValue)).status, 415, "the right field passes the CSRF check");

    const logout = await app.request("http://127.0.0.1/logout", {
      method: "POST",
      headers: { cookie, origin: "http://127.0.0.1" },
    });
    assertEquals(logout.status, 303);
    assert(logout.headers.getSetCookie().some((c) => /^tq_session=;/.test(c)), "cookie cleared");
  });
});

Deno.test("login never redirects off this server", async () => {
  await withSecureApi({ tokens: TOKENS }, async ({ app }) => {
    for (const next of ["//evil.example/x", "https://evil.example", "/\\evil.example"]) {
      const res = await app.request("http://127.0.0.1/login", {
        method: "POST",
        body: new URLSearchParams({ token: ADMIN, next }),
      });
      assertEquals(res.headers.get("location"), "/", next);
    }
  });
});
