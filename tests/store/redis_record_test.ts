/**
 * How the Redis store lays out one job: small enough for a default job's hash to stay a
 * compact listpack, and records written in the earlier, fuller shape still read and claim
 * as the same job.
 */
import { Redis } from "ioredis";
import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { newJobId } from "../../src/ids.ts";
import { RedisKeys } from "../../src/store/redis/keys.ts";
import { decodeJob, encodeJob } from "../../src/store/redis/record.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { claimJob, createJob } from "../../src/transitions/mod.ts";
import type { Job } from "../../src/job.ts";
import { RedisServer } from "./redis_server.ts";

const server = await RedisServer.start();
globalThis.addEventListener("unload", () => server.stopNow());

/** What `HGETALL` would give back for the pairs `encodeJob` writes. */
function stored(job: Job): Record<string, string> {
  const pairs = encodeJob(job);
  const hash: Record<string, string> = {};
  for (let i = 0; i < pairs.length; i += 2) hash[pairs[i]] = pairs[i + 1];
  return hash;
}

Deno.test("a job at the defaults, one with every default changed and one to run later decode to themselves", () => {
  const plain = createJob({ id: "a", task: "t", input: {} }, 5);
  const changed: Job = {
    ...createJob({
      id: "b",
      task: "t",
      queue: "mail",
      input: [1, "x"],
      priority: 2,
      maxAttempts: 9,
      backoff: { baseMs: 5, maxMs: 50 },
      timeoutMs: 7,
    }, 5),
    attempts: 2,
    errors: [{ attempt: 1, at: 6, name: "Error", message: "boom" }],
  };
  const later = createJob({ id: "c", task: "t", input: {}, runAt: 50 }, 5); // createdAt 5
  for (const job of [plain, changed, later]) assertEquals(decodeJob(stored(job), job), job);
});

Deno.test("a default job's Redis hash leaves its defaults and zeros out and stays a listpack", async () => {
  const store = await openRedisStore(server.url, { prefix: "compact" });
  const job = createJob({ id: newJobId(), task: "noop", input: {} }, Date.now());
  await store.jobInsertMany({ jobs: [job] });
  const redis = new Redis(server.url);
  const key = new RedisKeys("compact").job("default", job.id);
  assertEquals(await redis.hget(key, "d"), JSON.stringify({ input: {} })); // createdAt is runAt
  assertEquals((await redis.hkeys(key)).sort(), ["d", "runAt", "state", "task", "version"]);
  assertEquals(await redis.object("ENCODING", key), "listpack");
  redis.disconnect();
  store.close();
});

Deno.test("a record written in the earlier shape, everything in d, reads and claims as the same job", async () => {
  const clock = new FakeClock(1_000);
  const store = await openRedisStore(server.url, { prefix: "older", clock });
  const job = createJob({
    id: newJobId(),
    task: "noop",
    queue: "mail",
    input: { n: 1 },
    maxAttempts: 5,
    backoff: { baseMs: 10, maxMs: 20 },
  }, 1_000);
  await store.jobInsertMany({ jobs: [job] });
  const redis = new Redis(server.url);
  const key = new RedisKeys("older").job("mail", job.id);
  const { id, queue, input, maxAttempts, backoff, timeoutMs, createdAt, errors } = job;
  await redis.hset(key, {
    attempts: "0",
    priority: "0",
    d: JSON.stringify({ id, queue, input, maxAttempts, backoff, timeoutMs, createdAt, errors }),
  });

  assertEquals(await store.jobGet(job.id), job);
  const [claimed] = await store.jobClaim({
    queues: ["mail"],
    workerId: "w",
    limit: 1,
    leaseMs: 100,
    now: 1_000,
  });
  assertEquals(claimed, claimJob(job, { workerId: "w", now: 1_000, leaseMs: 100 }));
  redis.disconnect();
  store.close();
});
