/**
 * The conformance suite on Redis: one redis-server for the file (no persistence), a fresh
 * key prefix per test, the server killed when the file's tests are over.
 */
import { Redis } from "ioredis";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { claimedInIdOrder, RedisKeys } from "../../src/store/redis/keys.ts";
import { JOB_STATES } from "../../src/job.ts";
import { runStoreConformance } from "./conformance.ts";
import { RedisServer } from "./redis_server.ts";
import type { StoreDamage } from "./store_damage.ts";

const server = await RedisServer.start();
globalThis.addEventListener("unload", () => server.stopNow());

/** Damage by a client of its own, on the keys of `src/store/redis/keys.ts`. */
function redisDamage(url: string, prefix: string): StoreDamage {
  const redis = new Redis(url, { lazyConnect: true });
  const keys = new RedisKeys(prefix);
  return {
    async dropRecord(job) {
      await redis.del(keys.job(job.queue, job.id));
    },
    async dropIndexes(job) {
      const stored = await redis.hget(keys.job(job.queue, job.id), "runAt") ?? String(job.runAt);
      const K = keys.queue(job.queue);
      await redis.zrem(`${K}ready`, stored.padStart(16, "0") + job.id);
      for (const index of ["fifo", "sched", "lease", "exp", "callback"]) {
        await redis.zrem(K + index, job.id);
      }
      for (const state of JOB_STATES) await redis.zrem(`${K}state:${state}`, job.id);
    },
    async writeIndexes(job) {
      const K = keys.queue(job.queue);
      // A queued job: its claim entry only (a ready one's listing would be a second finding).
      if (job.state === "queued" && claimedInIdOrder(job.id, job.priority, job.runAt)) {
        await redis.zadd(`${K}fifo`, 0, job.id);
      } else if (job.state === "queued") {
        await redis.zadd(`${K}ready`, job.priority, String(job.runAt).padStart(16, "0") + job.id);
      } else {
        if (job.state === "scheduled") await redis.zadd(`${K}sched`, job.runAt, job.id);
        await redis.zadd(`${K}state:${job.state}`, 0, job.id);
      }
    },
    async setBatchCount(batchId, queue, state, n) {
      await redis.hset(`${keys.queue(queue)}batch:${batchId}`, state, n);
    },
    close: () => redis.disconnect(),
  };
}

let tests = 0;
runStoreConformance("redis", async (clock, onJobsWritten) => {
  const prefix = `conf${++tests}`;
  const store = await openRedisStore(server.url, { prefix, clock, onJobsWritten });
  return {
    store,
    damage: redisDamage(server.url, prefix),
    cleanup: () => Promise.resolve(store.close()),
  };
});
