/**
 * What `tq doctor` asks of a store that only the store can answer: whether its indexes
 * and its records agree (`indexAudit`), how to put one disagreement right (`indexRepair`),
 * and how to set a batch's or a queue's counts to what its jobs say (`batchCountsFix`,
 * `queueCountsFix`). Everything else
 * doctor finds (stuck dependants, stale leases, batch counts that disagree) is computed
 * once, above the stores, in `src/maintenance/doctor/`.
 *
 * @example
 * ```ts ignore
 * for (const problem of await store.indexAudit({ limit: 100 })) {
 *   await store.indexRepair({ problem });
 * }
 * ```
 * @module
 */
import type { BatchCounts } from "./batches.ts";
import type { JobState } from "../job.ts";

/**
 * How an index and the records disagree:
 * - `entry_without_record`: an index entry names a job whose record is gone (repair: drop
 *   the entry, if the record is still gone);
 * - `entry_disagrees`: an index entry the job's record does not imply (a `ready` entry of a
 *   started job, say; repair: drop it, if the record is still at `version`);
 * - `record_unindexed`: a record lacks an entry it implies, so a claim, the promoter, the
 *   rescuer or the pruner never sees it (repair: write every entry it implies, if it is
 *   still at `version`).
 */
export type IndexProblemKind = "entry_without_record" | "entry_disagrees" | "record_unindexed";

/** One disagreement between an index and a record. */
export interface IndexProblem {
  kind: IndexProblemKind;
  jobId: string;
  /** The index, as the store names it (`ready`, `lease`, `{tq:mail}:exp`), for people. */
  index: string;
  /** The record's version when it was found; absent when there is no record. */
  version?: number;
  /** What the store needs to repair it (a key, a member); opaque above the store. */
  entry: unknown;
}

/** Parameters of `batchCountsFix`. */
export interface BatchCountsFixParams {
  id: string;
  /** The batch's queues (its record's `queues`): a store may keep counts per queue. */
  queues: string[];
  /** The counts the caller read; nothing is written unless they still hold. */
  from: BatchCounts;
  /** The counts to set. */
  to: BatchCounts;
}

/** Parameters of `queueCountsFix`. */
export interface QueueCountsFixParams {
  queue: string;
  /** The counts the caller read; nothing is written unless they still hold. */
  from: Record<JobState, number>;
  /** The counts to set. */
  to: Record<JobState, number>;
}
