/**
 * A batch's counts go when its record does on the KV file and Redis (PostgreSQL's expiry
 * deletes them with the record, `postgres_store_test.ts`): a batch record written with a
 * time to live, as `batchComplete` writes a closed batch, gives its counts the same. KV and
 * Redis expire keys by real time, so these tests give the record a short time to live and
 * wait for it (a KV file drops expired keys when it is opened).
 */
import { Redis } from "ioredis";
import { assert, assertEquals } from "../assert.ts";
import { batchComplete, COMPLETED_BATCH_TTL_MS } from "../../src/batches/batch_records.ts";
import { batchCreate } from "../../src/batches/batch_records.ts";
import { newJobId } from "../../src/ids.ts";
import { BATCH_SPACE, type BatchRecord } from "../../src/store/batches.ts";
import { openKvStore } from "../../src/store/kv/kv_store.ts";
import { RedisKeys } from "../../src/store/redis/keys.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { eventually, tempDb } from "../integration/tq_process.ts";
import { RedisServer } from "./redis_server.ts";

const now = Date.now();
const queues = ["default"];
const batch = (id: string): BatchRecord => ({ id, total: 1, queues, createdAt: now });
const job = (batchId: string) => ({
  ...createJob({ id: newJobId(now), task: "t", input: 1 }, now),
  batchId,
});

/** Batch `gone` with two queued jobs, closed with a 200 ms time to live; `open` with one. */
async function twoBatches(store: Store, { gone, open }: { gone: string; open: string }) {
  await store.jobInsertMany({ jobs: [job(gone), job(gone), job(open)] });
  await batchCreate(store, { batch: batch(gone) });
  await batchCreate(store, { batch: batch(open) });
  const closed = { ...batch(gone), completedAt: now };
  await store.recordCommit({
    puts: [{ space: BATCH_SPACE, key: gone, value: closed, ttlMs: 200 }],
  });
  assertEquals((await store.batchCounts({ id: gone, queues })).queued, 2, "kept with the record");
}

/** Waits until batch `gone`'s record and counts are gone; `open`'s counts are kept. */
async function countsWentWithRecord(store: Store, { gone, open }: { gone: string; open: string }) {
  await eventually(
    async () =>
      await store.recordGet({ space: BATCH_SPACE, key: gone }) === null &&
      (await store.batchCounts({ id: gone, queues })).queued === 0,
    10_000,
    "the closed batch's record and counts to expire",
  );
  assertEquals((await store.batchCounts({ id: open, queues })).queued, 1);
}

Deno.test("[kv file] a closed batch's counts expire with its record; an open batch's stay", async () => {
  const { db, cleanup } = await tempDb();
  const ids = { gone: "b-gone", open: "b-open" };
  const first = await openKvStore(db);
  try {
    await twoBatches(first, ids);
  } finally {
    first.close();
  }
  await new Promise((resolve) => setTimeout(resolve, 300)); // past the time to live
  const again = await openKvStore(db);
  try {
    await countsWentWithRecord(again, ids);
  } finally {
    again.close();
    await cleanup();
  }
});

Deno.test("[redis] a closed batch's counts expire with its record; an open batch's stay", async () => {
  const server = await RedisServer.start();
  const store = await openRedisStore(server.url, { prefix: "bce" });
  try {
    await twoBatches(store, { gone: "b-gone", open: "b-open" });
    await countsWentWithRecord(store, { gone: "b-gone", open: "b-open" });
  } finally {
    store.close();
    await server.stop();
  }
});

Deno.test("[redis] batchComplete gives the batch's counts the closed record's time to live", async () => {
  const server = await RedisServer.start();
  const store = await openRedisStore(server.url, { prefix: "bcc" });
  const redis = new Redis(server.url);
  try {
    await store.jobInsertMany({ jobs: [job("b1")] });
    await batchCreate(store, { batch: batch("b1") });
    assertEquals(await batchComplete(store, { id: "b1", now, job: null }), true);
    const ttl = await redis.pttl(new RedisKeys("bcc").batchCounts("default", "b1"));
    assert(ttl > COMPLETED_BATCH_TTL_MS - 60_000 && ttl <= COMPLETED_BATCH_TTL_MS, `ttl ${ttl}`);
  } finally {
    redis.disconnect();
    store.close();
    await server.stop();
  }
});
