import { Hono } from "hono";
import { z } from "zod";
import { assert, assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { createApp } from "../../src/http/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { compileSchedules, defineSchedule } from "../../src/scheduler/schedule.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { crawl, underPrefix } from "./crawl.ts";

const PREFIX = "/admin/tq";
const ADMIN = "admin-token-0123456789";

const step = defineTask({ name: "step", input: z.object({ n: z.int() }), handler: ({ n }) => n });

/** A user's own Hono app with tq mounted under the prefix, tokens on, a flow and a schedule. */
async function userApp() {
  const clock = new FakeClock();
  const store = await openKvStore(":memory:", { clock });
  const registry = new Registry([step]);
  const producer = new Producer({ store, registry, clock });
  const schedules = compileSchedules(
    [defineSchedule({ name: "hourly", cron: "0 * * * *", task: "step", input: { n: 1 } })],
    registry,
  );
  const tq = createApp({
    producer,
    store,
    registry,
    clock,
    schedules,
    logger: silentLogger,
    basePath: PREFIX,
    security: { tokens: { admin: [ADMIN], read: [] } },
  });
  const first = await producer.enqueue({ task: "step", input: { n: 1 }, queue: "reports" });
  await producer.enqueue({ task: "step", input: { n: 2 }, dependsOn: [first.id] });
  await producer.enqueueBatch({
    requests: [{ task: "step", input: { n: 3 } }],
    onComplete: { task: "step", input: { n: 4 } },
  });
  const app = new Hono();
  app.get("/", (c) => c.text("the user's own home page"));
  app.route(PREFIX, tq);
  return { app, tq, store, first, close: () => store.close() };
}

const auth = { authorization: `Bearer ${ADMIN}`, accept: "text/html" };

for (const mount of ["app.route", "fetch"] as const) {
  Deno.test(`no link of the dashboard leaves the prefix (mounted with ${mount})`, async () => {
    const { app, tq, close } = await userApp();
    const handler = mount === "app.route" ? app : tq;
    try {
      const { pages, escapes, urls } = await crawl(
        async (path) => await handler.request(path, { headers: auth }),
        PREFIX,
      );
      assertEquals(escapes, []);
      for (const page of ["/admin/tq", "/admin/tq/ui/jobs", "/admin/tq/ui/workers"]) {
        assert(pages.includes(page), `crawled ${page}: ${pages.join(", ")}`);
      }
      assert(pages.some((p) => p.startsWith("/admin/tq/ui/jobs/")), "a job page");
      assert(pages.includes("/admin/tq/ui/schedules") && pages.includes("/admin/tq/docs"));
      for (const url of ["/admin/tq/assets/tq.js", "/admin/tq/assets/tq.css", "/admin/tq"]) {
        assert(urls.has(url), `${url} among ${[...urls].join(" ")}`);
      }
      assert(
        [...urls].some((u) => /^\/admin\/tq\/ui\/jobs\/\w+\/(retry|cancel)$/.test(u)),
        "a form",
      );
      const script = await handler.request(`${PREFIX}/assets/tq.js`, { headers: auth });
      assertEquals(script.status, 200);
      assert((await script.text()).includes('"/ui/events"'), "the stream's path after the base");
    } finally {
      close();
    }
  });
}

Deno.test("the live stream answers under the prefix", async () => {
  const { app, close } = await userApp();
  try {
    const res = await app.request(`${PREFIX}/ui/events`, { headers: auth });
    assertEquals(res.status, 200);
    assert(res.headers.get("content-type")?.startsWith("text/event-stream"));
    await res.body?.cancel();
  } finally {
    close();
  }
});

Deno.test("dashboard actions and login redirect under the prefix", async () => {
  const { app, first, close } = await userApp();
  try {
    const retried = await app.request(`${PREFIX}/ui/jobs/${first.id}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    assertEquals(retried.status, 303);
    assertEquals(retried.headers.get("location"), `${PREFIX}/ui/jobs/${first.id}?done=canceled`);

    const page = await app.request(`${PREFIX}/ui/jobs?queue=reports`, {
      headers: { accept: "text/html" },
    });
    assertEquals(page.status, 401);
    const login = await page.text();
    assert(login.includes(`action="${PREFIX}/login"`), login);
    assert(login.includes(`value="${PREFIX}/ui/jobs?queue=reports"`), login);

    const form = new URLSearchParams({ token: ADMIN, next: `${PREFIX}/ui/jobs` });
    const signedIn = await app.request(`${PREFIX}/login`, {
      method: "POST",
      body: form,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assertEquals([signedIn.status, signedIn.headers.get("location")], [303, `${PREFIX}/ui/jobs`]);
    const out = await app.request(`${PREFIX}/logout`, { method: "POST" });
    assert(underPrefix(out.headers.get("location") ?? "", PREFIX));
  } finally {
    close();
  }
});

Deno.test("the API and its OpenAPI server URL carry the prefix; the user's routes stay theirs", async () => {
  const { app, close } = await userApp();
  try {
    const doc = await (await app.request(`${PREFIX}/openapi.json`, { headers: auth })).json();
    assertEquals(doc.servers, [{ url: PREFIX }]);
    const enqueued = await app.request(`${PREFIX}/jobs`, {
      method: "POST",
      body: JSON.stringify({ task: "step", input: { n: 5 } }),
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    });
    assertEquals(enqueued.status, 202);
    assertEquals(await (await app.request("/")).text(), "the user's own home page");
    assertEquals((await app.request(`${PREFIX}/healthz`)).status, 200);
  } finally {
    close();
  }
});

Deno.test("status URLs and Location headers of the API carry the prefix (fetch mount, with a body)", async () => {
  const { tq, close } = await userApp();
  try {
    const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    const res = await tq.fetch(
      new Request(`http://127.0.0.1${PREFIX}/jobs`, {
        method: "POST",
        body: JSON.stringify({ task: "step", input: { n: 7 } }),
        headers,
      }),
    );
    assertEquals(res.status, 202);
    const { job_id, status_url } = await res.json();
    assertEquals(status_url, `${PREFIX}/jobs/${job_id}`);
    assertEquals(res.headers.get("location"), status_url);
    const job = await tq.fetch(new Request(`http://127.0.0.1${status_url}`, { headers }));
    assertEquals((await job.json()).id, job_id);
    const bulk = await tq.request(`${PREFIX}/jobs/bulk`, {
      method: "POST",
      body: JSON.stringify({ jobs: [{ task: "step", input: { n: 8 } }] }),
      headers,
    });
    const body = await bulk.json();
    assert(String(body.status_url ?? "").startsWith(`${PREFIX}/batches/`), JSON.stringify(body));
  } finally {
    close();
  }
});
