/**
 * tq on a real Redis Cluster (six nodes: three primaries, three replicas), end to end:
 * `connect({ redisCluster })`, a flow across queues and an ordered group run by a worker,
 * the prefix rule, and the errors a wrong setup gets.
 */
import { z } from "zod";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { connect } from "../../src/connect.ts";
import { StoreUnavailableError } from "../../src/errors.ts";
import { silentLogger } from "../../src/log.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { openRedisClusterStore } from "../../src/store/redis/redis_store.ts";
import { Worker } from "../../src/worker/mod.ts";
import { waitFor, waitForJob } from "../worker/helpers.ts";
import { redisCli, RedisCluster } from "./redis_cluster.ts";
import { freePort } from "./redis_server.ts";
import { runTq, TqProcess } from "../integration/tq_process.ts";
import { newJobId } from "../../src/ids.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { pausedQueues, QueuePauses } from "../../src/guards/queue_pauses.ts";
import { systemClock } from "../../src/clock.ts";

const cluster = await RedisCluster.start();
globalThis.addEventListener("unload", () => cluster.stopNow());

Deno.test("on a cluster, a flow across three queues runs the child after its parents", async () => {
  const double = defineTask({
    name: "double",
    queue: "left",
    input: z.number(),
    handler: (n) => n * 2,
  });
  const triple = defineTask({
    name: "triple",
    queue: "right",
    input: z.number(),
    handler: (n) => n * 3,
  });
  const sum = defineTask({
    name: "sum",
    queue: "join",
    input: z.null(),
    handler: (_input, ctx) =>
      Object.values(ctx.parents).reduce((a, b) => (a as number) + (b as number), 0),
  });
  const registry = new Registry([double, triple, sum]);
  const tq = await connect({
    registry,
    redisCluster: cluster.urls.join(","),
    redisPrefix: "{flow}",
  });
  const worker = new Worker({ store: tq.store, registry, logger: silentLogger, concurrency: 4 });
  try {
    const a = await tq.producer.enqueue({ task: "double", input: 1 });
    const b = await tq.producer.enqueue({ task: "triple", input: 10 });
    const child = await tq.producer.enqueue({ task: "sum", input: null, dependsOn: [a.id, b.id] });
    assertEquals(child.state, "deferred");
    worker.start();
    const done = await waitForJob(tq.store, child.id, (j) => j.state === "finished");
    assertEquals(done.result, 32);
  } finally {
    await worker.stop();
    await tq.close();
  }
});

Deno.test("on a cluster, a group's jobs run one at a time, in enqueue order", async () => {
  const runs: { n: number; start: number; end: number }[] = [];
  const step = defineTask({
    name: "step",
    input: z.number(),
    handler: async (n) => {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 15));
      runs.push({ n, start, end: performance.now() });
    },
  });
  const registry = new Registry([step]);
  const tq = await connect({ registry, redisCluster: cluster.urls, redisPrefix: "{group}" });
  const worker = new Worker({ store: tq.store, registry, logger: silentLogger, concurrency: 8 });
  try {
    const jobs = [];
    for (let n = 0; n < 6; n++) {
      jobs.push(await tq.producer.enqueue({ task: "step", input: n, group: "user:1" }));
    }
    worker.start();
    await waitForJob(tq.store, jobs.at(-1)!.id, (j) => j.state === "finished");
    assertEquals(runs.map((r) => r.n), [0, 1, 2, 3, 4, 5]);
    for (let i = 1; i < runs.length; i++) {
      assert(runs[i].start >= runs[i - 1].end, `job ${i} started before job ${i - 1} ended`);
    }
  } finally {
    await worker.stop();
    await tq.close();
  }
});

Deno.test("on a cluster, the prefix defaults to {tq} and one without a {hash tag} is refused", async () => {
  const error = await assertRejects(
    () => openRedisClusterStore(cluster.urls, { prefix: "shop" }),
    RangeError,
  );
  assert(error.message.includes(`use "{shop}"`), error.message);
  const registry = new Registry([]);
  const tq = await connect({ registry, redisCluster: cluster.urls });
  try {
    await tq.store.jobInsertMany({ jobs: [] });
    await QueuePauses.of(tq.store, systemClock).set({ queue: "q", paused: true });
    const paused = await pausedQueues(tq.store);
    assertEquals(paused, ["q"]);
    const keys = await clusterKeys("{tq}:*");
    assert(keys.includes("{tq}:rec:queue_pause:q"), keys.join(" "));
  } finally {
    await tq.close();
  }
});

Deno.test("a cluster that cannot be reached fails at once, naming its nodes", async () => {
  const url = `redis://app:secret@127.0.0.1:${freePort()}`;
  const error = await assertRejects(
    () => openRedisClusterStore([url]),
    StoreUnavailableError,
  );
  assert(error.message.includes("app:***@127.0.0.1"), error.message);
  assert(!error.message.includes("secret"), error.message);
  await assertRejects(
    () => openRedisClusterStore([`${cluster.urls[0]}/2`]),
    StoreUnavailableError,
    "only database 0",
  );
  await assertRejects(
    () =>
      connect({ registry: new Registry([]), redis: cluster.urls[0], redisCluster: cluster.urls }),
    TypeError,
    "choose one",
  );
});

Deno.test("on a cluster, an idle waiter is woken by another process's enqueue", async () => {
  const waiter = await openRedisClusterStore(cluster.urls, { prefix: "{wake}" });
  const producer = await openRedisClusterStore(cluster.urls, { prefix: "{wake}" });
  try {
    // The first wait subscribes, and ends once the subscription is made.
    await waiter.workWait({ queues: ["q"], timeoutMs: 2_000 });
    const started = performance.now();
    const waiting = waiter.workWait({ queues: ["q"], timeoutMs: 5_000 });
    await producer.jobInsertMany({
      jobs: [createJob({ id: newJobId(), task: "t", queue: "q", input: 1 }, Date.now())],
    });
    await waiting;
    const wokenMs = performance.now() - started;
    assert(wokenMs < 1_000, `woken after ${wokenMs} ms`);
  } finally {
    waiter.close();
    producer.close();
  }
});

Deno.test("an enqueue is acknowledged only once a replica holds it", async () => {
  const prefix = "{frozen}";
  const store = await openRedisClusterStore(cluster.urls, { prefix, replicaTimeoutMs: 300 });
  const replica = cluster.node(await cluster.replicaOf(await cluster.primaryOf(prefix)));
  const job = () => createJob({ id: newJobId(), task: "t", input: 1 }, Date.now());
  try {
    await store.jobInsertMany({ jobs: [job()] });
    Deno.kill(replica.pid, "SIGSTOP"); // the replica stops reading what its primary sends
    try {
      await assertRejects(
        () => store.jobInsertMany({ jobs: [job()] }),
        StoreUnavailableError,
        "0 of 1 replica(s) confirmed it within 300 ms",
      );
    } finally {
      Deno.kill(replica.pid, "SIGCONT");
    }
    // Once the replica has caught up, inserts are acknowledged again.
    await waitFor(
      () => store.jobInsertMany({ jobs: [job()] }).then(() => true, () => false),
      "an acknowledged insert after the replica is back",
    );
  } finally {
    store.close();
  }
});

Deno.test("an insert sent again after its first attempt landed writes nothing more", async () => {
  const store = await openRedisClusterStore(cluster.urls, { prefix: "{replay}" });
  try {
    const id = newJobId();
    const jobs = [
      createJob({ id, task: "t", queue: "a", input: 1 }, Date.now()),
      createJob({ id: newJobId(), task: "t", queue: "b", input: 2 }, Date.now()),
    ];
    await store.jobInsertMany({ jobs });
    await store.jobInsertMany({ jobs }); // as ioredis resends it when no answer came
    const counts = await store.queueCounts();
    assertEquals(counts.map((c) => [c.name, c.queued]), [["a", 1], ["b", 1]]);
    const other = createJob({ id, task: "other", queue: "a", input: 3 }, Date.now());
    await assertRejects(() => store.jobInsertMany({ jobs: [other] }), Error, `exists ${id}`);
  } finally {
    store.close();
  }
});

Deno.test("tq serve --redis-cluster and tq worker (TQ_REDIS_CLUSTER) run posted jobs", async () => {
  const server = TqProcess.start(["serve", "--port", "0", "--redis-cluster", cluster.urls[0]]);
  const worker = TqProcess.start(["worker", "default"], {
    TQ_REDIS_CLUSTER: cluster.urls.join(","),
  });
  try {
    const base = await server.url();
    await worker.waitForLine((l) => l.event === "worker:started");
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${base}/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ task: "noop", input: {} }),
      });
      assertEquals(response.status, 202);
      ids.push((await response.json()).job_id);
    }
    const finished = () =>
      new Set(worker.lines.filter((l) => l.event === "job:finished").map((l) => l.job_id));
    await waitFor(() => ids.every((id) => finished().has(id)), "20 jobs to finish", 20_000);
    const refused = await runTq([
      "queues",
      "--redis-cluster",
      cluster.urls[0],
      "--redis-prefix",
      "shop",
    ]);
    assertEquals(refused.code, 1);
    assert(refused.stderr.includes(`use "{shop}"`), refused.stderr);
  } finally {
    await Promise.all([server.stop(), worker.stop()]);
  }
});

/** Keys matching `pattern` on whichever primary holds them. */
async function clusterKeys(pattern: string): Promise<string[]> {
  const port = await cluster.primaryOf(pattern.split("*")[0]);
  return (await redisCli("-p", String(port), "--scan", "--pattern", pattern)).trim().split("\n");
}
