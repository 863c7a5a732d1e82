/**
 * The enqueue lane (src/http/enqueue_lane.ts): a plain `POST /jobs` is answered by the lane,
 * every other request by the layers, and each answer is the one the layers give. A request
 * takes the lane only with a declared `Content-Length` and a `Host` (as every served request
 * has), so sending the same request without them is the reference answer of the layers.
 */
import { Hono } from "hono";
import { FakeClock } from "../../src/clock.ts";
import type { SecurityOptions } from "../../src/http/auth/mod.ts";
import { enqueueLane } from "../../src/http/enqueue_lane.ts";
import { createErrorHandler } from "../../src/http/error_handler.ts";
import { createApp } from "../../src/http/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import type { Store } from "../../src/store/store.ts";
import { registry } from "../../tasks/mod.ts";
import { assertEquals } from "../assert.ts";

const ADMIN = "admin-token-0123456789";
const READER = "reader-token-0123456789";
const SECURITY: SecurityOptions = {
  tokens: { admin: [ADMIN], read: [READER] },
  allowedHosts: ["tq.example.com"],
};
const URL_OF_JOBS = "http://tq.example.com/jobs";
const ADMIN_AUTH = { authorization: `Bearer ${ADMIN}` };

/** Runs `fn` with a fresh KV store and a producer over it. */
async function withProducer(fn: (producer: Producer, store: Store) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "tq-enqueue-lane-" });
  const clock = new FakeClock();
  const store = await openKvStore(`${dir}/tq.db`, { clock });
  try {
    await fn(new Producer({ store, registry, clock }), store);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** `body` POSTed as JSON; `framed` adds the `Content-Length` and `Host` the lane needs. */
function enqueueRequest(
  body: string,
  headers: Record<string, string>,
  { framed = true, url = URL_OF_JOBS } = {},
): Request {
  const framing: Record<string, string> = framed
    ? { "content-length": String(new TextEncoder().encode(body).length), host: new URL(url).host }
    : {};
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...framing, ...headers },
    body,
  });
}

/** Status, headers and JSON body of an answer, with the new job's id taken out. */
async function answerOf(res: Response) {
  const text = await res.text();
  const id = (JSON.parse(text) as { job_id?: string }).job_id;
  const headers = [...res.headers].map((
    [name, value],
  ) => [name, id ? value.replace(id, "ID") : value]);
  return { status: res.status, headers, body: id ? text.replaceAll(id, "ID") : text };
}

Deno.test("the lane answers every enqueue as the layers do, accepted or refused", async () => {
  await withProducer(async (producer) => {
    const app = createApp({
      producer,
      store: producer.store,
      registry,
      security: SECURITY,
      bodyTimeoutMs: 30_000,
      logger: silentLogger,
    });
    const plain = JSON.stringify({ task: "noop", input: {} });
    const cases: [string, string, Record<string, string>][] = [
      ["plain", plain, ADMIN_AUTH],
      ["no input", '{"task":"noop"}', ADMIN_AUTH],
      ["repeated idempotency key", plain, { ...ADMIN_AUTH, "idempotency-key": "k1" }],
      ["options", JSON.stringify({ task: "noop", input: {}, priority: 5 }), ADMIN_AUTH],
      ["bad option", JSON.stringify({ task: "noop", input: {}, priority: 5_000 }), ADMIN_AUTH],
      ["bad input", JSON.stringify({ task: "send_notification", input: { email: 1 } }), ADMIN_AUTH],
      ["unknown task", JSON.stringify({ task: "no_such_task", input: {} }), ADMIN_AUTH],
      ["task not a string", '{"task":42,"input":{}}', ADMIN_AUTH],
      ["broken JSON", '{"task":', ADMIN_AUTH],
      ["an array", "[1]", ADMIN_AUTH],
      ["too deep", `{"task":"noop","input":${"[".repeat(40)}${"]".repeat(40)}}`, ADMIN_AUTH],
      ["read-only token", plain, { authorization: `Bearer ${READER}` }],
      ["no token", plain, {}],
      ["cross-site", plain, { ...ADMIN_AUTH, origin: "https://evil.example" }],
      ["UTF-16", plain, { ...ADMIN_AUTH, "content-type": "application/json; charset=utf-16" }],
    ];
    for (const [what, body, headers] of cases) {
      const layers = () => app.fetch(enqueueRequest(body, headers, { framed: false }));
      await layers(); // so that the key is a repeat for both (the answers are alike otherwise)
      const reference = await answerOf(await layers());
      const lane = await answerOf(await app.fetch(enqueueRequest(body, headers)));
      assertEquals(lane, reference, what);
    }
    const wrongHost = { url: "http://evil.example/jobs" };
    const refused = await app.fetch(enqueueRequest(plain, ADMIN_AUTH, wrongHost));
    assertEquals(refused.status, 421);
  });
});

Deno.test("the lane takes plain enqueues and passes every other request to the layers", async () => {
  await withProducer(async (producer, store) => {
    const layers = new Hono();
    layers.all("*", async (c) => c.text(`layers ${await c.req.text()}`));
    const onError = createErrorHandler(silentLogger);
    const app = {
      fetch: enqueueLane(layers.fetch, {
        producer,
        security: SECURITY,
        maxBodyBytes: 1_024,
        onError,
      }),
    };
    const plain = JSON.stringify({ task: "noop", input: {} });
    const taken = await app.fetch(enqueueRequest(plain, ADMIN_AUTH));
    assertEquals(taken.status, 202);
    assertEquals(taken.headers.get("x-content-type-options"), "nosniff");
    assertEquals((await store.jobGet((await taken.json()).job_id))?.task, "noop");
    const passed: [string, Request][] = [
      ["not framed", enqueueRequest(plain, ADMIN_AUTH, { framed: false })],
      ["a query", enqueueRequest(plain, ADMIN_AUTH, { url: `${URL_OF_JOBS}?x=1` })],
      ["another path", enqueueRequest(plain, ADMIN_AUTH, { url: `${URL_OF_JOBS}/x` })],
      ["options", enqueueRequest('{"task":"noop","input":{},"queue":"q"}', ADMIN_AUTH)],
      ["too big", enqueueRequest(`{"task":"noop","input":"${"x".repeat(1_024)}"}`, ADMIN_AUTH)],
      ["read-only token", enqueueRequest(plain, { authorization: `Bearer ${READER}` })],
      ["wrong host", enqueueRequest(plain, ADMIN_AUTH, { url: "http://evil.example/jobs" })],
      ["same-site", enqueueRequest(plain, { ...ADMIN_AUTH, "sec-fetch-site": "same-site" })],
      ["a form", enqueueRequest(plain, { ...ADMIN_AUTH, "content-type": "text/plain" })],
    ];
    for (const [what, request] of passed) {
      const body = await request.clone().text();
      assertEquals(await (await app.fetch(request)).text(), `layers ${body}`, what);
    }
  });
});

Deno.test("the lane answers 408 with the security headers when the body misses its deadline", async () => {
  await withProducer(async (producer) => {
    const clock = new FakeClock();
    const app = createApp({
      producer,
      store: producer.store,
      registry,
      clock,
      security: SECURITY,
      bodyTimeoutMs: 1_000,
      logger: silentLogger,
    });
    const answer = app.fetch(
      new Request(URL_OF_JOBS, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": "100",
          host: "tq.example.com",
          ...ADMIN_AUTH,
        },
        body: ReadableStream.from([new TextEncoder().encode('{"task":')]).pipeThrough(
          new TransformStream({ flush: () => new Promise(() => {}) }),
        ),
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    clock.advance(1_000);
    const res = await answer;
    assertEquals(
      [res.status, res.headers.get("connection"), res.headers.get("x-frame-options")],
      [408, "close", "DENY"],
    );
  });
});

Deno.test("the layers in front of POST /jobs are the ones the lane stands in for", async () => {
  // A tripwire: a layer added in front of the enqueue route is skipped by the lane until the
  // lane is taught its check (src/http/enqueue_lane.ts) or stands aside when it is on.
  await withProducer((producer) => {
    const layersOf = (security: SecurityOptions, bodyTimeoutMs?: number) => {
      const app = createApp({
        producer,
        store: producer.store,
        registry,
        security,
        bodyTimeoutMs,
        logger: silentLogger,
      });
      return app.routes
        .filter((route) =>
          route.path === "/*" || (route.method === "POST" && route.path === "/jobs")
        )
        .map((route) => `${route.method} ${route.path} ${route.handler.name}`);
    };
    assertEquals(layersOf({}), [
      "ALL /* ", // security headers
      "ALL /* ", // cross-site guard
      "ALL /* bodyLimit",
      "ALL /* ", // URL and JSON limits
      "POST /jobs jsonBody",
      "POST /jobs mediaTypeGate",
      "POST /jobs ", // the envelope's validator
      "POST /jobs ", // the route
    ]);
    assertEquals(layersOf(SECURITY, 30_000), [
      "ALL /* streams",
      "ALL /* ", // security headers
      "ALL /* ", // host check
      "ALL /* ", // cross-site guard
      "ALL /* ", // token check
      "ALL /* jsonBodies",
      "ALL /* bodyLimit",
      "ALL /* ", // URL and JSON limits
      "POST /jobs jsonBody",
      "POST /jobs mediaTypeGate",
      "POST /jobs ", // the envelope's validator
      "POST /jobs ", // the route
    ]);
    return Promise.resolve();
  });
});
