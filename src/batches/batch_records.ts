/**
 * Batches of bulk enqueues (`POST /jobs/bulk`), written once above the store contract.
 * A batch is the keyed record `batch`/`<id>` (`src/store/records.ts`, a `BatchRecord`) and,
 * while it is open, the record `batch_open`/`<id>` (`true`), which lists the open batches
 * oldest id first. {@linkcode batchComplete} closes a batch and inserts its `onComplete`
 * job in one record commit checked against the batch's record as read, so of many workers
 * completing one batch exactly one enqueues the job; the closed record is kept
 * {@linkcode COMPLETED_BATCH_TTL_MS}.
 *
 * The counts of a batch's jobs per state stay native to each store (`Store.batchCounts`):
 * every job change sums them in its own atomic write, as it does the queue counts
 * (`batchCountMoves` in `src/store/batches.ts`). That is the hot path of every insert,
 * claim and settlement; a record read and rewritten per job change would cost each of them
 * a round trip and make every job of a batch contend on one record, so only their read is
 * a contract method.
 *
 * @example
 * ```ts
 * import { openKvStore } from "../store/kv/kv_store.ts";
 * import { batchComplete, batchCreate, batchGet } from "./batch_records.ts";
 * const store = await openKvStore(":memory:");
 * await batchCreate(store, { batch: { id: "b1", total: 0, queues: [], createdAt: 0 } });
 * console.assert(await batchComplete(store, { id: "b1", now: 5, job: null }));
 * console.assert((await batchGet(store, { id: "b1" }))?.batch.completedAt === 5);
 * store.close();
 * ```
 * @module
 */
import { StoreUnavailableError } from "../errors.ts";
import type { Job } from "../job.ts";
import { BATCH_SPACE, type BatchRecord, type BatchStatus } from "../store/batches.ts";
import type { Store } from "../store/store.ts";

/** The record space of open batches: a record (`true`) per batch not yet completed. */
export const BATCH_OPEN_SPACE = "batch_open";

/** How long a completed batch's record is kept. */
export const COMPLETED_BATCH_TTL_MS = 7 * 86_400_000;

/** Reads and tries again this many times while other writers change the batch. */
const ATTEMPTS = 10;

/** What the batch functions need of a store. */
export type BatchStore = Pick<
  Store,
  "recordGet" | "recordList" | "recordCommit" | "batchCounts" | "timerNotify"
>;

const recordAt = (id: string) => ({ space: BATCH_SPACE, key: id });
const openAt = (id: string) => ({ space: BATCH_OPEN_SPACE, key: id });

/**
 * Records a batch, open, after its jobs (which carry `batchId`) are inserted, and wakes
 * the batch watchers that sleep while no batch is open (`Store.timerNotify`).
 *
 * @example
 * ```ts ignore
 * await batchCreate(store, { batch: { id, total: 2, queues: ["default"], createdAt: now } });
 * ```
 */
export async function batchCreate(
  store: BatchStore,
  { batch }: { batch: BatchRecord },
): Promise<void> {
  await store.recordCommit({
    puts: [{ ...recordAt(batch.id), value: batch }, { ...openAt(batch.id), value: true }],
  });
  await store.timerNotify?.();
}

/**
 * A batch with the counts of its jobs per state, or null.
 *
 * @example
 * ```ts ignore
 * const status = await batchGet(store, { id });
 * ```
 */
export async function batchGet(
  store: Pick<Store, "recordGet" | "batchCounts">,
  { id }: { id: string },
): Promise<BatchStatus | null> {
  const read = await store.recordGet(recordAt(id));
  if (!read) return null;
  const batch = read.value as BatchRecord;
  return { batch, counts: await store.batchCounts({ id, queues: batch.queues }) };
}

/**
 * Batches not yet completed, oldest id first, at most `limit`, with their counts.
 *
 * @example
 * ```ts ignore
 * const open = await batchListOpen(store, { limit: 100 });
 * ```
 */
export async function batchListOpen(
  store: Pick<Store, "recordGet" | "recordList" | "batchCounts">,
  { limit }: { limit: number },
): Promise<BatchStatus[]> {
  const open = await store.recordList({ space: BATCH_OPEN_SPACE, limit });
  const statuses = await Promise.all(open.map(({ key }) => batchGet(store, { id: key })));
  return statuses.filter((status): status is BatchStatus => status !== null);
}

/** What {@linkcode batchComplete} takes. */
export interface BatchCompleteParams {
  id: string;
  now: number;
  /** The `onComplete` job, made from the record's spec; null when it has none. */
  job: Job | null;
}

/**
 * Closes a batch and inserts its completion `job` (if any) in one record commit checked
 * against the batch's record as read; false (nothing written) when it was closed already
 * (or never recorded), so the job is enqueued exactly once. Throws `StoreUnavailableError`
 * when the record keeps changing under it.
 *
 * @example
 * ```ts ignore
 * if (await batchComplete(store, { id, now, job })) logger.info("batch:completed", { id });
 * ```
 */
export async function batchComplete(
  store: Pick<Store, "recordGet" | "recordCommit">,
  { id, now, job }: BatchCompleteParams,
): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const read = await store.recordGet(recordAt(id));
    if (!read || (read.value as BatchRecord).completedAt !== undefined) return false;
    const batch = read.value as BatchRecord;
    const closed: BatchRecord = { ...batch, completedAt: now };
    if (job) closed.completionJobId = job.id;
    const written = await store.recordCommit({
      checks: [{ ...recordAt(id), version: read.version }],
      puts: [{ ...recordAt(id), value: closed, ttlMs: COMPLETED_BATCH_TTL_MS }],
      deletes: [openAt(id)],
      jobs: job ? [job] : [],
    });
    if (written) return true;
  }
  throw new StoreUnavailableError(`batch "${id}" kept changing; try again`);
}
