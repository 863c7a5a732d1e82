/**
 * What protects a browser user: the cross-site guard, the security headers, CORS only
 * when configured, and job data never served as HTML.
 */
import { assert, assertEquals } from "../assert.ts";
import { TOKENS, withSecureApi } from "./secure_api.ts";

const enqueue = (origin: Record<string, string>) => ({
  method: "POST",
  body: JSON.stringify({ task: "noop", input: {} }),
  headers: { "content-type": "application/json", ...origin },
});

Deno.test("another site cannot change anything, even without tokens", async () => {
  await withSecureApi({}, async ({ app, seed, snapshot }) => {
    const id = await seed();
    const before = await snapshot();
    const forgeries: [string, RequestInit][] = [
      ["http://127.0.0.1:8000/jobs", enqueue({ origin: "https://evil.example" })],
      ["http://127.0.0.1:8000/jobs", enqueue({ origin: "null" })],
      ["http://127.0.0.1:8000/jobs", enqueue({ "sec-fetch-site": "cross-site" })],
      [`http://127.0.0.1:8000/jobs/${id}/cancel`, {
        method: "POST",
        body: "a=1",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "sec-fetch-site": "same-site",
        },
      }],
      [`http://127.0.0.1:8000/jobs/${id}`, {
        method: "DELETE",
        headers: { origin: "http://127.0.0.1:9999" },
      }],
    ];
    for (const [url, init] of forgeries) {
      const res = await app.request(url, init);
      assertEquals([res.status, (await res.json()).error.code], [403, "forbidden"], url);
    }
    assertEquals(await snapshot(), before, "a forged request changed something");
    const own = await app.request(
      "http://127.0.0.1:8000/jobs",
      enqueue({ origin: "http://127.0.0.1:8000", "sec-fetch-site": "same-origin" }),
    );
    assertEquals(own.status, 202, "the server's own pages may change things");
    assertEquals((await app.request("http://127.0.0.1:8000/jobs", enqueue({}))).status, 202);
  });
});

Deno.test("every answer carries a strict CSP, nosniff and no CORS by default", async () => {
  await withSecureApi({}, async ({ app }) => {
    const request = (path: string) =>
      app.request(path, { headers: { origin: "https://elsewhere.example" } });
    for (const path of ["/healthz", "/jobs", "/no-such-route", "/docs"]) {
      const res = await request(path);
      await res.body?.cancel();
      const csp = res.headers.get("content-security-policy") ?? "";
      assert(csp.includes("default-src 'none'") && csp.includes("frame-ancestors 'none'"), csp);
      assert(!csp.includes("unsafe-inline"), csp);
      assertEquals(res.headers.get("x-content-type-options"), "nosniff");
      assertEquals(res.headers.get("access-control-allow-origin"), null, path);
    }
    const page = (await request("/docs")).headers.get("content-security-policy") ?? "";
    assert(page.includes("script-src 'self'") && page.includes("form-action 'self'"), page);
    const json = (await request("/healthz")).headers.get("content-security-policy");
    assertEquals(json, "default-src 'none'; frame-ancestors 'none'", "an API answer loads nothing");
    const preflight = await app.request("/jobs", {
      method: "OPTIONS",
      headers: { origin: "https://elsewhere.example", "access-control-request-method": "POST" },
    });
    await preflight.body?.cancel();
    assertEquals(preflight.headers.get("access-control-allow-origin"), null);
  });
});

Deno.test("configured CORS origins, and only those, may call the API", async () => {
  const allowed = "https://admin.example.com";
  await withSecureApi({ corsOrigins: [allowed] }, async ({ app }) => {
    const ok = await app.request("/jobs", { headers: { origin: allowed } });
    await ok.body?.cancel();
    assertEquals(ok.headers.get("access-control-allow-origin"), allowed);
    const other = await app.request("/jobs", { headers: { origin: "https://evil.example" } });
    await other.body?.cancel();
    assertEquals(other.headers.get("access-control-allow-origin"), null);
    assertEquals((await app.request("/jobs", enqueue({ origin: allowed }))).status, 202);
  });
});

Deno.test("job input and results with <script> are served as JSON, never as HTML", async () => {
  const payloads = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(document.cookie)</script>",
  ];
  await withSecureApi({}, async ({ app }) => {
    for (const payload of payloads) {
      const posted = await app.request("/tasks/send_notification", {
        method: "POST",
        body: JSON.stringify({ email: "ada@example.com", message: payload }),
        headers: { "content-type": "application/json" },
      });
      const { job_id } = await posted.json();
      for (
        const path of [`/jobs/${job_id}`, "/jobs", `/jobs?cursor=${encodeURIComponent(payload)}`]
      ) {
        const res = await app.request(path, { headers: { accept: "text/html" } });
        const text = await res.text();
        assert(res.headers.get("content-type")?.startsWith("application/json"), path);
        assertEquals(res.headers.get("x-content-type-options"), "nosniff");
        if (path === `/jobs/${job_id}`) {
          assertEquals(JSON.parse(text).input.message, payload, "kept as data, unchanged");
        }
      }
    }
  });
});

Deno.test("the login page escapes what it echoes", async () => {
  await withSecureApi({ tokens: TOKENS }, async ({ app }) => {
    const attack = '/x"><script>alert(1)</script>';
    for (const path of [`/login?next=${encodeURIComponent(attack)}`, `/jobs${"?a=<script>"}`]) {
      const res = await app.request(path, { headers: { accept: "text/html" } });
      const html = await res.text();
      assert(res.headers.get("content-type")?.startsWith("text/html"), path);
      assert(!html.includes("<script>"), html);
    }
  });
});

Deno.test("the dashboard shows <script> input and results escaped, never as markup", async () => {
  const payload = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
  await withSecureApi({}, async ({ app }) => {
    const posted = await app.request("/tasks/send_notification", {
      method: "POST",
      body: JSON.stringify({ email: "ada@example.com", message: payload }),
      headers: { "content-type": "application/json" },
    });
    const { job_id } = await posted.json();
    for (const path of ["/", "/ui/jobs", `/ui/jobs/${job_id}`, `/ui/jobs?task=${payload}`]) {
      const res = await app.request(path, { headers: { accept: "text/html" } });
      const html = await res.text();
      assert(res.status < 500, `${path}: ${res.status}`);
      assert(!html.includes("<script>alert") && !html.includes("<img src=x"), `${path}: ${html}`);
      if (path === `/ui/jobs/${job_id}`) assert(html.includes("&lt;script&gt;alert(1)"), html);
    }
  });
});
