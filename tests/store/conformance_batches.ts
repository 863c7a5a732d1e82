/**
 * Batches (`src/batches/batch_records.ts`, over keyed records and `Store.batchCounts`):
 * counts follow the batch's jobs through claims, settlements and deletes, in any queue, and
 * completion closes a batch and enqueues its job exactly once however many callers race.
 * Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runBatchConformance(test);
 * ```
 * @module
 */
import { insertIdempotent } from "../../src/guards/idempotency.ts";
import { assert, assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job } from "../../src/job.ts";
import { type BatchRecord, emptyBatchCounts } from "../../src/store/batches.ts";
import type { Store } from "../../src/store/store.ts";
import {
  batchComplete,
  batchCreate,
  batchGet,
  batchListOpen,
} from "../../src/batches/batch_records.ts";
import { createJob, failAttempt, finishJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);

function batchJob(batchId: string, queue = "default"): Job {
  return { ...createJob({ id: newJobId(T0), task: "t", queue, input: {} }, T0), batchId };
}

async function createBatch(store: Store, jobs: Job[]): Promise<BatchRecord> {
  await store.jobInsertMany({ jobs });
  const batch: BatchRecord = {
    id: jobs[0].batchId!,
    total: jobs.length,
    queues: [...new Set(jobs.map((job) => job.queue))],
    createdAt: T0,
    onComplete: { task: "t", input: { done: true } },
  };
  await batchCreate(store, { batch });
  return batch;
}

async function claimAll(store: Store, queue: string): Promise<Job[]> {
  return await store.jobClaim({
    queues: [queue],
    workerId: "w",
    limit: 10,
    leaseMs: 1_000,
    now: T0,
  });
}

/** Registers the batch tests with a backend's `test`. */
export function runBatchConformance(test: Test): void {
  test("batch counts follow its jobs across queues", async (store) => {
    const id = newJobId(T0);
    const jobs = [batchJob(id, "a"), batchJob(id, "a"), batchJob(id, "b"), batchJob(id, "b")];
    const other = createJob({ id: newJobId(T0), task: "t", queue: "a", input: {} }, T0);
    await store.jobInsertMany({ jobs: [other] });
    const batch = await createBatch(store, jobs);
    const inA = (await claimAll(store, "a")).filter((j) => j.batchId === id);
    const inB = await claimAll(store, "b");
    assertEquals([inA.length, inB.length], [2, 2]);
    const done = finishJob(inA[0], { now: T0, result: 1, ttlMs: 1_000 });
    const failed = failAttempt({ ...inB[0], maxAttempts: 1 }, {
      now: T0,
      error: { name: "Error", message: "x" },
      retryDelayMs: 0,
      ttlMs: 1_000,
    });
    await store.jobUpdateMany({
      updates: [{ before: inA[0], after: done }, { before: inB[0], after: failed }],
    });
    const status = await batchGet(store, { id });
    assertEquals(status?.batch, batch);
    assertEquals(status?.counts, { ...emptyBatchCounts(), started: 2, finished: 1, failed: 1 });
    assertEquals(await batchGet(store, { id: "nope" }), null);
  });

  test("a batch job inserted under an idempotency key counts in its batch", async (store) => {
    const id = newJobId(T0);
    const [first, second] = [batchJob(id), batchJob(id)];
    await insertIdempotent(store, { job: first, key: `bulk-${id}`, ttlMs: 60_000 });
    await createBatch(store, [second]);
    const status = await batchGet(store, { id });
    assertEquals(status?.counts, { ...emptyBatchCounts(), queued: 2 });
  });

  test("deleting a job that ended keeps its batch count; deleting a waiting one drops it", async (store) => {
    const id = newJobId(T0);
    const jobs = [batchJob(id), batchJob(id)];
    await createBatch(store, jobs);
    const [running] = await claimAll(store, "default");
    const done = finishJob(running, { now: T0, result: 1, ttlMs: 1_000 });
    await store.jobUpdateMany({ updates: [{ before: running, after: done }] });
    const waiting = (await store.jobGet(jobs.find((j) => j.id !== running.id)!.id))!;
    assert(await store.jobDelete({ job: done }));
    assert(await store.jobDelete({ job: waiting }));
    const { counts } = (await batchGet(store, { id }))!;
    assertEquals(counts, { ...emptyBatchCounts(), finished: 1 });
  });

  test("concurrent completions of a batch enqueue its job exactly once", async (store) => {
    const id = newJobId(T0);
    await createBatch(store, [batchJob(id)]);
    assertEquals((await batchListOpen(store, { limit: 10 })).map((s) => s.batch.id), [id]);
    const candidates = Array.from(
      { length: 5 },
      () =>
        createJob({ id: newJobId(T0), task: "t", queue: "done", input: { done: true } }, T0 + 5),
    );
    const outcomes = await Promise.all(
      candidates.map((job) => batchComplete(store, { id, now: T0 + 5, job })),
    );
    assertEquals(outcomes.filter(Boolean).length, 1);
    const winner = candidates[outcomes.indexOf(true)];
    const { batch } = (await batchGet(store, { id }))!;
    assertEquals([batch.completedAt, batch.completionJobId], [T0 + 5, winner.id]);
    assertEquals((await store.jobGet(winner.id))?.input, { done: true });
    const done = (await store.queueCounts()).find((c) => c.name === "done");
    assertEquals(done?.queued, 1);
    assertEquals(await batchListOpen(store, { limit: 10 }), []);
  });

  test("a batch without a completion job closes without one", async (store) => {
    const id = newJobId(T0);
    await createBatch(store, [batchJob(id)]);
    assertEquals(await batchComplete(store, { id, now: T0, job: null }), true);
    assertEquals(await batchComplete(store, { id, now: T0, job: null }), false);
    assertEquals((await batchGet(store, { id }))?.batch.completionJobId, undefined);
  });
}

/**
 * Batches as an older layout left them, for its migration's test: `open` (with two queued
 * jobs counted, counts the caller writes its own way) and `closed`, completed at `now`.
 */
export function oldBatches(now: number): { open: BatchRecord; closed: BatchRecord } {
  const open = { id: newJobId(now), total: 2, queues: ["default"], createdAt: now };
  const closed = { ...open, id: newJobId(now), completedAt: now, completionJobId: "j" };
  return { open, closed };
}

/** Asserts that a migrated store keeps those batches: listed, counted, and completed once. */
export async function assertBatchesKept(
  store: Store,
  { open, closed }: { open: BatchRecord; closed: BatchRecord },
): Promise<void> {
  assertEquals(await batchListOpen(store, { limit: 10 }), [
    { batch: open, counts: { ...emptyBatchCounts(), queued: 2 } },
  ]);
  assertEquals((await batchGet(store, { id: closed.id }))?.batch, closed);
  assertEquals(await batchComplete(store, { id: closed.id, now: T0, job: null }), false);
  assertEquals(await batchComplete(store, { id: open.id, now: T0, job: null }), true);
  assertEquals(await batchListOpen(store, { limit: 10 }), []);
}
