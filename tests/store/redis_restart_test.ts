/**
 * A Redis restart with `appendonly yes`: redis-server is killed (SIGKILL) while a worker
 * runs a job, and started again on the same port and directory. Nothing is lost, and the
 * worker reconnects on its own and finishes the job.
 */
import { z } from "zod";
import { assertEquals } from "../assert.ts";
import { Producer } from "../../src/producer.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { Worker } from "../../src/worker/mod.ts";
import { eventually } from "../integration/tq_process.ts";
import { RedisServer } from "./redis_server.ts";

Deno.test("a Redis restart loses no job and a running worker finishes its job", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tq-redis-aof-" });
  let server = await RedisServer.start({ persistent: true, dir });
  let running!: () => void;
  const isRunning = new Promise<void>((resolve) => running = resolve);
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const slow = defineTask({
    name: "slow",
    queue: "slow",
    input: z.object({}),
    handler: async () => {
      running();
      await released;
      return "survived";
    },
  });
  const waiting = defineTask({
    name: "waiting",
    queue: "later",
    input: z.object({}),
    handler() {},
  });
  const registry = new Registry([slow, waiting]);
  const store = await openRedisStore(server.url, { prefix: "restart" });
  const producer = new Producer({ store, registry });
  const worker = new Worker({ store, registry, queues: ["slow"], leaseMs: 30_000 });
  try {
    const job = await producer.enqueue({ task: "slow", input: {} });
    await producer.enqueueMany(Array.from({ length: 100 }, () => ({ task: "waiting", input: {} })));
    worker.start();
    await isRunning;
    await server.kill();
    server = await RedisServer.start({ persistent: true, dir, port: server.port });
    release();
    const done = await eventually(
      async () => {
        const record = await store.jobGet(job.id);
        return record?.state === "finished" && record;
      },
      20_000,
      "the job to finish after the restart",
    );
    assertEquals([done.result, done.attempts], ["survived", 1]);
    const later = (await store.queueCounts()).find((c) => c.name === "later");
    assertEquals(later?.queued, 100, "jobs enqueued before the crash are all still there");
  } finally {
    await worker.stop();
    store.close();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
