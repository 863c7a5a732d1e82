import { FakeClock } from "../../src/clock.ts";
import { StoreUnavailableError } from "../../src/errors.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job } from "../../src/job.ts";
import {
  BATCH_OPEN_SPACE,
  batchComplete,
  batchCreate,
  batchGet,
  batchListOpen,
  COMPLETED_BATCH_TTL_MS,
} from "../../src/batches/batch_records.ts";
import { BATCH_SPACE, type BatchRecord, emptyBatchCounts } from "../../src/store/batches.ts";
import type { RecordAddress, RecordCommitParams } from "../../src/store/records.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { assertEquals, assertRejects } from "../assert.ts";
import { MemoryRecords } from "../store/memory_records.ts";

const T0 = Date.UTC(2026, 0, 1);

function batchOf(id: string, total = 1): BatchRecord {
  return { id, total, queues: ["default"], createdAt: T0, onComplete: { task: "t", input: 1 } };
}

const completion = (at: number): Job => createJob({ id: newJobId(at), task: "t", input: 1 }, at);

/** `store`, where another writer rewrites batch `id`'s record before each commit `when` says. */
function changingUnder(store: MemoryRecords, id: string, when: () => boolean) {
  return {
    recordGet: (address: RecordAddress) => store.recordGet(address),
    recordCommit: async (params: RecordCommitParams) => {
      if (when()) await store.recordPut({ space: BATCH_SPACE, key: id, value: batchOf(id) });
      return store.recordCommit(params);
    },
  };
}

Deno.test("batchCreate records an open batch and wakes the timer waiters", async () => {
  const store = new MemoryRecords(new FakeClock(T0));
  const id = newJobId(T0);
  await store.jobInsertMany({ jobs: [{ ...completion(T0), batchId: id }] });
  await batchCreate(store, { batch: batchOf(id) });
  assertEquals(store.timerNotices, 1);
  assertEquals(await batchGet(store, { id }), {
    batch: batchOf(id),
    counts: { ...emptyBatchCounts(), queued: 1 },
  });
  assertEquals((await batchListOpen(store, { limit: 10 })).map((s) => s.batch.id), [id]);
});

Deno.test("batchGet answers null for a batch never recorded", async () => {
  const store = new MemoryRecords(new FakeClock(T0));
  assertEquals(await batchGet(store, { id: newJobId(T0) }), null);
});

Deno.test("batchListOpen lists the open batches oldest id first, at most limit", async () => {
  const store = new MemoryRecords(new FakeClock(T0));
  const ids = [newJobId(T0 + 2), newJobId(T0), newJobId(T0 + 1)];
  for (const id of ids) await batchCreate(store, { batch: batchOf(id) });
  const listed = await batchListOpen(store, { limit: 2 });
  assertEquals(listed.map((s) => s.batch.id), [...ids].sort().slice(0, 2));
});

Deno.test("batchComplete closes the batch, inserts its job once and keeps the record a week", async () => {
  const clock = new FakeClock(T0);
  const store = new MemoryRecords(clock);
  const id = newJobId(T0);
  await batchCreate(store, { batch: batchOf(id) });
  const job = completion(T0 + 5);
  assertEquals(await batchComplete(store, { id, now: T0 + 5, job }), true);
  assertEquals(await batchComplete(store, { id, now: T0 + 6, job: completion(T0 + 6) }), false);
  const { batch } = (await batchGet(store, { id }))!;
  assertEquals([batch.completedAt, batch.completionJobId], [T0 + 5, job.id]);
  assertEquals((await store.jobGet(job.id))?.id, job.id);
  assertEquals(await batchListOpen(store, { limit: 10 }), []);
  clock.advance(COMPLETED_BATCH_TTL_MS);
  assertEquals(await batchGet(store, { id }), null);
});

Deno.test("batchComplete of a batch never recorded writes nothing", async () => {
  const store = new MemoryRecords(new FakeClock(T0));
  const job = completion(T0);
  assertEquals(await batchComplete(store, { id: newJobId(T0), now: T0, job }), false);
  assertEquals(await store.jobGet(job.id), null);
});

Deno.test("batchComplete reads again when the record changed under its commit", async () => {
  const store = new MemoryRecords(new FakeClock(T0));
  const id = newJobId(T0);
  await batchCreate(store, { batch: batchOf(id) });
  let moves = 1;
  const racing = changingUnder(store, id, () => moves-- > 0);
  assertEquals(await batchComplete(racing, { id, now: T0, job: null }), true);
  assertEquals(await store.recordGet({ space: BATCH_OPEN_SPACE, key: id }), null);
});

Deno.test("batchComplete throws StoreUnavailableError when the record keeps changing", async () => {
  const store = new MemoryRecords(new FakeClock(T0));
  const id = newJobId(T0);
  await batchCreate(store, { batch: batchOf(id) });
  const racing = changingUnder(store, id, () => true);
  await assertRejects(
    () => batchComplete(racing, { id, now: T0, job: null }),
    StoreUnavailableError,
  );
});
