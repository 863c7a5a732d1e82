/**
 * Durable steps in real workers on a fake clock, on a KV file, a real redis-server, a real
 * Redis Cluster and a real PostgreSQL: finished steps never run again, a sleep or a wait
 * frees the worker's slot without using an attempt, and a wait ends with `POST /events` or
 * at its timeout.
 */
import { assert, assertEquals } from "../assert.ts";
import type { FakeClock } from "../../src/clock.ts";
import { createApp } from "../../src/http/mod.ts";
import type { JobJson } from "../../src/job_json.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { openRedisClusterStore, openRedisStore } from "../../src/store/redis/redis_store.ts";
import type { Store } from "../../src/store/store.ts";
import { advance, type Fixture, fixture, task, waitFor, waitForJob } from "../worker/helpers.ts";
import { RedisServer } from "../store/redis_server.ts";
import { RedisCluster } from "../store/redis_cluster.ts";
import { PostgresServer } from "../store/postgres_server.ts";
import { openPostgresStore } from "../../src/store/postgres/postgres_store.ts";
import type { Job } from "../../src/job.ts";

const server = await RedisServer.start();
globalThis.addEventListener("unload", () => server.stopNow());
const postgres = await PostgresServer.start();
globalThis.addEventListener("unload", () => postgres.stopNow());
const cluster = await RedisCluster.start();
globalThis.addEventListener("unload", () => cluster.stopNow());

let prefixes = 0;
const backends: [string, ((clock: FakeClock) => Promise<Store>) | undefined][] = [
  ["kv", undefined],
  ["redis", (clock) => openRedisStore(server.url, { prefix: `steps${++prefixes}`, clock })],
  [
    "redis-cluster",
    (clock) => openRedisClusterStore(cluster.urls, { prefix: `{steps${++prefixes}}`, clock }),
  ],
  [
    "postgres",
    (clock) => openPostgresStore(postgres.url, { schema: postgres.freshSchema(), clock }),
  ],
];

/** Moves the fake clock on a second at a time until the job ends. */
async function settled(fx: Fixture, id: string): Promise<Job> {
  let job: Job | null = null;
  await waitFor(async () => {
    job = await fx.store.jobGet(id);
    if (job?.state === "finished" || job?.state === "failed") return true;
    await advance(fx.clock, 1_000);
    return false;
  }, "the job to end");
  return job!;
}

/** An app on the fixture's store, and `POST` in JSON. */
function api(fx: Fixture) {
  const producer = new Producer({ store: fx.store, registry: fx.registry, clock: fx.clock });
  const app = createApp({
    producer,
    store: fx.store,
    registry: fx.registry,
    clock: fx.clock,
    logger: silentLogger,
  });
  return {
    post: (path: string, body: unknown) =>
      app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    job: async (id: string) => await (await app.request(`/jobs/${id}`)).json() as JobJson,
    page: async (id: string) => await (await app.request(`/ui/jobs/${id}`)).text(),
    waitingIn: async (queue: string) => {
      const { queues } = await (await app.request("/queues")).json();
      return queues.find((q: { name: string }) => q.name === queue)?.waiting;
    },
  };
}

for (const [backend, openStore] of backends) {
  Deno.test(`${backend}: four steps whose third fails once run steps 1 and 2 exactly once`, async () => {
    const runs: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
    const flow = task("four_steps", async (_input, ctx) => {
      const a = await ctx.step("a", () => ++runs.a);
      const b = await ctx.step("b", () => ({ from: a, n: ++runs.b }));
      const c = await ctx.step("c", () => {
        if (++runs.c === 1) throw new Error("service down");
        return "charged";
      });
      const d = await ctx.step("d", () => ++runs.d);
      return { a, b, c, d };
    }, { retry: { maxAttempts: 3, backoff: { baseMs: 100, maxMs: 100 } } });
    await using fx = await fixture([flow], openStore);
    fx.worker().start();
    const { id } = await fx.enqueue("four_steps", {});
    const done = await settled(fx, id);
    assertEquals(done.state, "finished");
    assertEquals(runs, { a: 1, b: 1, c: 2, d: 1 });
    assertEquals(done.result, { a: 1, b: { from: 1, n: 1 }, c: "charged", d: 1 });
    assertEquals(
      done.steps?.map((s) => [s.name, s.state, s.attempt]),
      [["a", "finished", 1], ["b", "finished", 1], ["c", "finished", 2], ["d", "finished", 2]],
    );
    assertEquals(done.errors.map((e) => e.message), ["service down"]);
  });

  Deno.test(`${backend}: a sleeping job is scheduled without a slot or an attempt, then goes on`, async () => {
    let before = 0;
    let after = 0;
    const sleeper = task("sleeper", async (_input, ctx) => {
      await ctx.step("before", () => ++before);
      await ctx.sleep("nap", 2_000);
      return await ctx.step("after", () => ++after);
    });
    const quick = task("quick", () => "done");
    await using fx = await fixture([sleeper, quick], openStore);
    const worker = fx.worker({ concurrency: 1 });
    worker.start();
    const { id } = await fx.enqueue("sleeper", {});
    const asleep = await waitForJob(fx.store, id, (j) => j.state === "scheduled", "asleep");
    assertEquals(asleep.attempts, 0);
    assertEquals(asleep.runAt, asleep.steps?.[1].until);
    assertEquals(asleep.steps?.map((s) => [s.name, s.state]), [
      ["before", "finished"],
      ["nap", "sleeping"],
    ]);
    await waitFor(() => worker.running === 0, "the slot to be free");
    // The one slot runs another job while the sleeper sleeps.
    const other = await fx.enqueue("quick", {});
    await waitForJob(fx.store, other.id, (j) => j.state === "finished", "the other job");
    assertEquals((await fx.store.jobGet(id))?.state, "scheduled");
    await advance(fx.clock, 2_000);
    const done = await waitForJob(fx.store, id, (j) => j.state === "finished", "finished");
    assertEquals([done.result, done.attempts, before, after], [1, 1, 1, 1]);
    assertEquals(done.steps?.[1].state, "finished");
  });

  Deno.test(`${backend}: run now wakes a sleeping job, which passes its sleep at once`, async () => {
    const sleeper = task("sleeper", async (_input, ctx) => {
      await ctx.sleep("nap", 3_600_000);
      return "awake";
    });
    await using fx = await fixture([sleeper], openStore);
    fx.worker({ concurrency: 1 }).start();
    const { id } = await fx.enqueue("sleeper", {});
    await waitForJob(fx.store, id, (j) => j.state === "scheduled", "asleep");
    const response = await api(fx).post(`/jobs/${id}/run-now`, {});
    assertEquals(response.status, 200);
    // No clock advance: the hour-long sleep ends because the operator said so.
    const done = await waitForJob(fx.store, id, (j) => j.state === "finished", "finished");
    assertEquals([done.result, done.steps?.[0].state], ["awake", "finished"]);
  });

  Deno.test(`${backend}: a waiting job resumes with POST /events' data, or null at its timeout`, async () => {
    const checkout = task("checkout", async (input, ctx) => {
      const order = (input as { order: string }).order;
      const approval = await ctx.waitForEvent("approval", {
        event: "order.approved",
        key: order,
        timeoutMs: 60_000,
      });
      return { approval };
    });
    await using fx = await fixture([checkout], openStore);
    const worker = fx.worker({ concurrency: 1 });
    worker.start();
    const http = api(fx);
    const approved = await fx.enqueue("checkout", { order: "o1" });
    const ignored = await fx.enqueue("checkout", { order: "o2" });
    for (const { id } of [approved, ignored]) {
      const waiting = await waitForJob(fx.store, id, (j) => j.state === "waiting", "waiting");
      assertEquals([waiting.attempts, waiting.runAt], [0, waiting.steps?.[0].until]);
    }
    await waitFor(() => worker.running === 0, "the slot to be free");
    assertEquals(await http.waitingIn("default"), 2);
    const shown = await http.job(approved.id);
    assertEquals([shown.status, shown.steps[0].state, shown.steps[0].event], [
      "waiting",
      "waiting",
      "order.approved",
    ]);
    for (
      const [body, field] of [[{ event: "", data: 1 }, "event"], [
        { event: "e", data: null },
        "data",
      ]]
    ) {
      const bad = await http.post("/events", body);
      assertEquals(bad.status, 422);
      assert(JSON.stringify(await bad.json()).includes(`"path":"${field}"`));
    }
    const sent = await http.post("/events", {
      event: "order.approved",
      key: "o1",
      data: { by: "ana" },
    });
    assertEquals([sent.status, await sent.json()], [202, { woken: 1 }]);
    const done = await waitForJob(fx.store, approved.id, (j) => j.state === "finished", "done");
    assertEquals([done.result, done.attempts], [{ approval: { by: "ana" } }, 1]);
    const page = await http.page(approved.id);
    assert(page.includes('id="job-steps"') && page.includes("approval"), page);
    const timeline = (await http.job(approved.id)).steps;
    assertEquals([timeline[0].state, timeline[0].result], ["finished", { by: "ana" }]);
    assertEquals((await fx.store.jobGet(ignored.id))?.state, "waiting");
    await advance(fx.clock, 60_000);
    const timedOut = await waitForJob(
      fx.store,
      ignored.id,
      (j) => j.state === "finished",
      "timeout",
    );
    assertEquals(timedOut.result, { approval: null });
  });

  Deno.test(`${backend}: an event sent before the job reaches its wait is kept for it`, async () => {
    const checkout = task("early", async (_input, ctx) => {
      await ctx.sleep("first", 1_000);
      return await ctx.waitForEvent("paid", { event: "order.paid", key: "o9", timeoutMs: 60_000 });
    });
    await using fx = await fixture([checkout], openStore);
    fx.worker().start();
    const http = api(fx);
    const { id } = await fx.enqueue("early", {});
    await waitForJob(fx.store, id, (j) => j.state === "scheduled", "asleep");
    const sent = await http.post("/events", { event: "order.paid", key: "o9", data: 42 });
    assertEquals(await sent.json(), { woken: 0 });
    await advance(fx.clock, 1_000);
    const done = await waitForJob(fx.store, id, (j) => j.state === "finished", "finished");
    assertEquals(done.result, 42);
  });
}

Deno.test("a step result over the store's size limit fails the job with an error naming the step", async () => {
  const big = task("big", async (_input, ctx) => {
    await ctx.step("export", () => "x".repeat(70_000));
  });
  await using fx = await fixture([big]);
  fx.worker().start();
  const { id } = await fx.enqueue("big", {});
  const failed = await waitForJob(fx.store, id, (j) => j.state === "failed", "failed");
  assertEquals([failed.errors.length, failed.errors[0].name], [1, "StepError"]);
  assert(failed.errors[0].message.includes('step "export"'), failed.errors[0].message);
  assertEquals(failed.steps ?? [], []);
});
