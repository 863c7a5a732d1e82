/**
 * A task's rate limit holds across real worker processes, on the KV file and on Redis: two
 * `tq worker` processes share the `limited` fixture task (`rateLimit: { max: 5, per: 1_000 }`);
 * from the recorded start of every job, no span of one second holds more than five starts,
 * and all of them finish without a failed attempt.
 */
import { Producer } from "../../src/producer.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import type { Store } from "../../src/store/store.ts";
import { registry } from "../fixtures/tasks.ts";
import { assert, assertEquals } from "../assert.ts";
import { RedisServer } from "../store/redis_server.ts";
import { eventually, tempDb, TqProcess } from "./tq_process.ts";

/** Runs 20 `limited` jobs on two workers given `where` (the store flags) and checks them. */
async function limitHolds(store: Store, where: string[]): Promise<void> {
  const args = ["worker", "limited", ...where, "--tasks", "tests/fixtures/tasks.ts"];
  const workers = [TqProcess.start(args), TqProcess.start(args)];
  try {
    await Promise.all(workers.map((w) => w.waitForLine((l) => l.event === "worker:started")));
    const producer = new Producer({ store, registry });
    const jobs = await producer.enqueueMany(
      Array.from({ length: 20 }, () => ({ task: "limited", input: {} })),
    );
    const done = await eventually(
      async () => {
        const stored = await store.jobGetMany(jobs.map((j) => j.id));
        return stored.every((j) => j?.state === "finished") && stored.map((j) => j!);
      },
      20_000,
      "all 20 jobs to finish",
    );
    const starts = done.map((job) => job.startedAt!).sort((a, b) => a - b);
    for (let i = 5; i < starts.length; i++) {
      assert(
        starts[i] - starts[i - 5] >= 1_000,
        `six starts within one second: ${starts.slice(i - 5, i + 1).join(", ")}`,
      );
    }
    assertEquals(done.map((job) => [job.attempts, job.errors.length]), jobs.map(() => [1, 0]));
    const pids = new Set(done.map((job) => (job.result as { pid: number }).pid));
    const spanMs = starts.at(-1)! - starts[0];
    console.log(`rate limit (${where[0]}): 20 jobs in ${spanMs} ms on ${pids.size} worker(s)`);
    assert(spanMs >= 3_000, `20 jobs at 5/s need at least 3 s; took ${spanMs} ms`);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

Deno.test("a rate limit of 5/s holds across two worker processes on a KV file and every job finishes", async () => {
  const { db, cleanup } = await tempDb();
  const store = await openKvStore(db);
  try {
    await limitHolds(store, ["--db", db]);
  } finally {
    store.close();
    await cleanup();
  }
});

Deno.test("a rate limit of 5/s holds across two worker processes on Redis and every job finishes", async () => {
  const redis = await RedisServer.start();
  const store = await openRedisStore(redis.url, { prefix: "rl" });
  try {
    await limitHolds(store, ["--redis", redis.url, "--redis-prefix", "rl"]);
  } finally {
    store.close();
    await redis.stop();
  }
});
