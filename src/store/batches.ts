/**
 * What batches (`POST /jobs/bulk`) are made of. Their records are keyed records written
 * above the store (`src/batches/batch_records.ts`, space {@linkcode BATCH_SPACE}); the
 * counts of a batch's jobs per state are the stores' own: every job change sums them in its
 * own commit, like the queue counts (jobs carry `batchId`), and `Store.batchCounts` reads
 * them. Pruning a job that ended does not uncount it; deleting one that had not ended
 * does. A batch is complete once none of its jobs is waiting or running.
 *
 * @example
 * ```ts
 * import { batchSettled, type BatchStatus } from "./batches.ts";
 * const done = (status: BatchStatus) => batchSettled(status.counts);
 * ```
 * @module
 */
import { isTerminal, type Job, JOB_STATES, type JobState } from "../job.ts";
import type { JobSpec } from "../transitions/mod.ts";

/**
 * The record space of batches (`BatchRecord` by id). A batch's counts go with its record:
 * written with a time to live (a closed batch), the record gives them the same on the KV
 * file and Redis, and PostgreSQL's expiry deletes them with it.
 */
export const BATCH_SPACE = "batch";

/** The job a batch enqueues when it completes: a job spec whose id and times come later. */
export type BatchCompletion = Omit<JobSpec, "id" | "runAt">;

/** A batch as stored. */
export interface BatchRecord {
  id: string;
  /** Jobs accepted into the batch. */
  total: number;
  /** The queues its jobs are in (Redis keeps counts per queue). */
  queues: string[];
  createdAt: number;
  onComplete?: BatchCompletion;
  /** When every job had ended and the batch was closed. */
  completedAt?: number;
  /** The `onComplete` job enqueued then. */
  completionJobId?: string;
}

/** Counts of a batch's jobs per state. */
export type BatchCounts = Record<JobState, number>;

/** A batch and its live counts. */
export interface BatchStatus {
  batch: BatchRecord;
  counts: BatchCounts;
}

/**
 * Counts with every state at zero.
 *
 * @example
 * ```ts
 * import { emptyBatchCounts } from "./batches.ts";
 * console.assert(emptyBatchCounts().queued === 0);
 * ```
 */
export function emptyBatchCounts(): BatchCounts {
  return Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as BatchCounts;
}

/**
 * Whether no job of the batch is waiting or running any more.
 *
 * @example
 * ```ts
 * import { batchSettled, emptyBatchCounts } from "./batches.ts";
 * console.assert(batchSettled({ ...emptyBatchCounts(), finished: 3 }));
 * ```
 */
export function batchSettled(counts: BatchCounts): boolean {
  return JOB_STATES.every((state) => isTerminal(state) || counts[state] === 0);
}

/**
 * Whether a job change moves the batch's counts: a change of state, or the delete of a
 * job that had not ended.
 *
 * @example
 * ```ts
 * import { batchCountMoves } from "./batches.ts";
 * console.assert(!batchCountMoves(null, null));
 * ```
 */
export function batchCountMoves(before: Job | null, after: Job | null): boolean {
  if (!(before?.batchId ?? after?.batchId)) return false;
  if (before && !after) return !isTerminal(before.state);
  return before?.state !== after?.state;
}
