/**
 * The repeat of a bulk request with an idempotency key: the client lost the answer (the
 * server died, the connection broke) and sends the same request again. Nothing new is
 * written but the batch record, if the first request died before it: the answer says,
 * in request order, which jobs the first request stored and which it did not. A bulk
 * request's job ids follow from its batch id (`jobIdAfter(batchId, index + 1)`), and the
 * key names the batch's first stored job, so the repeat finds every job of the first try.
 *
 * @example
 * ```ts ignore
 * const result = await bulkRepeat({ store, held, valid, rejected, now });
 * const toSendAgain = result.rejected.filter((r) => r.error.code === "not_stored");
 * ```
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import { jobIdAfter } from "../ids.ts";
import type { Job } from "../job.ts";
import type { BatchCompletion, BatchRecord } from "../store/batches.ts";
import type { Store } from "../store/store.ts";
import type { BulkRejection, BulkResult } from "./bulk_enqueue.ts";
import { batchCreate, batchGet } from "./batch_records.ts";

/** The code of an entry the first request did not get to store. */
export const NOT_STORED = "not_stored";

/** What {@linkcode bulkRepeat} takes. */
export interface BulkRepeatParams {
  store: Store;
  /** The job the idempotency key stands for: the first stored job of the first request. */
  held: Job;
  /** The repeat's valid entries (their ids are recomputed from the held batch). */
  valid: { index: number; job: Job }[];
  /** The repeat's invalid entries. */
  rejected: BulkRejection[];
  onComplete?: BatchCompletion;
}

/**
 * Finds the jobs the first request with this key stored, and writes its batch record if
 * that request died before writing it.
 *
 * @example
 * ```ts ignore
 * const { batch, jobIds } = await bulkRepeat({ store, held, valid, rejected: [] });
 * ```
 */
export async function bulkRepeat(
  { store, held, valid, rejected, onComplete }: BulkRepeatParams,
): Promise<BulkResult> {
  const batchId = held.batchId;
  if (batchId === undefined) {
    throw new InvalidInputError([{
      path: "idempotency_key",
      message: "already names a single job (POST /jobs), not a bulk request",
    }]);
  }
  const ids = valid.map((item) => jobIdAfter(batchId, item.index + 1));
  const found = await store.jobGetMany(ids);
  const stored: Job[] = [];
  const missing: BulkRejection[] = [];
  found.forEach((job, i) => {
    if (job?.batchId === batchId) stored.push(job);
    else {
      missing.push({
        index: valid[i].index,
        error: {
          code: NOT_STORED,
          message: "the first request with this idempotency key did not store this job; " +
            "send it again (without the key, or with a new one)",
        },
      });
    }
  });
  const existing = await batchGet(store, { id: batchId });
  let batch: BatchRecord | null = existing?.batch ?? null;
  if (!batch && stored.length > 0) {
    batch = {
      id: batchId,
      total: stored.length,
      queues: [...new Set(stored.map((job) => job.queue))],
      createdAt: held.createdAt,
      ...(onComplete && { onComplete }),
    };
    await batchCreate(store, { batch });
  }
  return {
    batch,
    jobIds: stored.map((job) => job.id),
    rejected: [...rejected, ...missing].sort((a, b) => a.index - b.index),
    created: false,
  };
}
