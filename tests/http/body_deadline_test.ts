/**
 * `--body-timeout` inside the app: a body that does not arrive in time gets 408 whichever
 * way it is read (whole up front, or through the raw request), and a body in time reaches
 * every reader; a request the host or token check refuses is answered at once, its body
 * unread. The process-level test is tests/security/server_limits_test.ts.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import { FakeClock } from "../../src/clock.ts";
import { bodyDeadlines } from "../../src/http/body_deadline.ts";
import { createErrorHandler } from "../../src/http/error_handler.ts";
import type { SecurityOptions } from "../../src/http/auth/mod.ts";
import { createApp } from "../../src/http/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import type { Store } from "../../src/store/store.ts";
import { registry } from "../../tasks/mod.ts";
import { assert, assertEquals } from "../assert.ts";
import { assertError } from "./setup.ts";

const MS = 1_000;

/** A body that sends `first` and then nothing more, never ending. */
function stalled(first: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(first));
    },
  });
}

/** Whether `promise` has settled after the tasks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

/** An app whose routes read the body the two ways tq's routes do. */
function appWithDeadline(clock: FakeClock): Hono {
  const app = new Hono();
  const deadlines = bodyDeadlines({ ms: MS, maxBytes: 1_024, clock });
  app.use("*", deadlines.streams);
  app.use("*", deadlines.jsonBodies);
  app.post("/json", async (c) => c.json(await c.req.json()));
  app.post("/form", async (c) => {
    try {
      return c.json(Object.fromEntries(await c.req.raw.formData()));
    } catch {
      return c.text("unreadable form", 400);
    }
  });
  app.onError(createErrorHandler(silentLogger));
  return app;
}

async function assertTimedOut(res: Response): Promise<void> {
  const error = await assertError(res, 408, "request_timeout");
  assert(String(error.message).includes("--body-timeout"), String(error.message));
  assertEquals(res.headers.get("connection"), "close");
}

Deno.test("a JSON body of a declared size that stalls gets 408 at the deadline, not before", async () => {
  const clock = new FakeClock();
  const answer = Promise.resolve(
    appWithDeadline(clock).request("/json", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": "100" },
      body: stalled('{"task":'),
    }),
  );
  clock.advance(MS - 1);
  assertEquals(await settled(answer), false);
  clock.advance(1);
  await assertTimedOut(await answer);
});

Deno.test("a streamed body that stalls gets 408, whatever its reader made of the failure", async () => {
  const clock = new FakeClock();
  const answer = Promise.resolve(
    appWithDeadline(clock).request("/form", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: stalled("a=1&b="),
    }),
  );
  assertEquals(await settled(answer), false);
  clock.advance(MS);
  await assertTimedOut(await answer);
});

Deno.test("bodies that arrive in time reach their readers, read up front or streamed", async () => {
  const app = appWithDeadline(new FakeClock());
  const declared = await app.request("/json", {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": "8" },
    body: '{"a": 1}',
  });
  assertEquals([declared.status, await declared.json()], [200, { a: 1 }]);
  const streamed = await app.request("/form", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: ReadableStream.from([new TextEncoder().encode("a=1")]),
  });
  assertEquals([streamed.status, await streamed.json()], [200, { a: "1" }]);
});

/** Runs `fn` against tq's app with a body deadline of `MS` on a fresh KV store. */
async function withDeadlineApp(
  security: SecurityOptions,
  fn: (app: OpenAPIHono, store: Store, clock: FakeClock) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tq-body-deadline-" });
  const clock = new FakeClock();
  const store = await openKvStore(`${dir}/tq.db`, { clock });
  try {
    const producer = new Producer({ store, registry, clock });
    await fn(
      createApp({ producer, store, registry, clock, security, bodyTimeoutMs: MS }),
      store,
      clock,
    );
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("POST /jobs under a body deadline enqueues with and without a Content-Length", async () => {
  await withDeadlineApp({}, async (app, store) => {
    const body = JSON.stringify({ task: "noop", input: {} });
    for (const [length, sent] of [[String(body.length), body], [undefined, body]] as const) {
      const res = await app.request("/jobs", {
        method: "POST",
        headers: { "content-type": "application/json", ...length && { "content-length": length } },
        body: length ? sent : ReadableStream.from([new TextEncoder().encode(sent)]),
      });
      assertEquals(res.status, 202, await res.clone().text());
      const { job_id } = await res.json();
      assertEquals((await store.jobGet(job_id))?.task, "noop");
    }
    const refused = await app.request("/jobs", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": "12" },
      body: '{"task": 42}',
    });
    await assertError(refused, 422, "invalid_input");
  });
});

/** `POST /jobs` with a JSON body of a declared size that never arrives in full. */
function stalledEnqueue(headers: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": "100", ...headers },
    body: stalled('{"task":'),
  };
}

Deno.test("a request refused by the token or host check is answered at once, its JSON body unread", async () => {
  const security = { tokens: { admin: ["admin-token-0123456789"], read: [] }, allowedHosts: [] };
  await withDeadlineApp(security, async (app, _store, clock) => {
    const base = "http://127.0.0.1/jobs";
    const wrongToken = app.request(base, stalledEnqueue({ authorization: "Bearer wrong" }));
    const noToken = app.request(base, stalledEnqueue({}));
    const wrongHost = app.request("http://evil.example/jobs", stalledEnqueue({}));
    for (const answer of [wrongToken, noToken, wrongHost]) {
      assertEquals(await settled(Promise.resolve(answer)), true);
    }
    await assertError(await wrongToken, 401, "unauthorized");
    await assertError(await noToken, 401, "unauthorized");
    assertEquals((await wrongHost).status, 421);
    // The same stalled body with the right token waits for the deadline.
    const admitted = Promise.resolve(
      app.request(base, stalledEnqueue({ authorization: "Bearer admin-token-0123456789" })),
    );
    assertEquals(await settled(admitted), false);
    clock.advance(MS);
    await assertTimedOut(await admitted);
  });
});
