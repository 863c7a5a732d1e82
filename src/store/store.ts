/**
 * The store contract: everything the engine asks of a broker. Every backend (the Deno KV
 * file, Redis) implements it, and `tests/store/conformance.ts` runs the same suite against
 * each. Stores persist records made by `src/transitions/` and keep their indexes and
 * counts in step; they never decide a transition on their own, except the claim.
 *
 * Method names are noun-first with one params object, after River's driver interface.
 *
 * @example
 * ```ts
 * import type { Store } from "./store.ts";
 * async function queuedIn(store: Store, queue: string) {
 *   const counts = await store.queueCounts();
 *   return counts.find((c) => c.name === queue)?.queued ?? 0;
 * }
 * ```
 * @module
 */
import type { Job, JobState } from "../job.ts";
import type { BatchCounts } from "./batches.ts";
import type {
  RecordAddress,
  RecordCommitParams,
  RecordListParams,
  RecordPutParams,
  RecordRead,
  StoredRecord,
} from "./records.ts";
import type { WaitingListParams } from "./events.ts";
import type { BatchCountsFixParams, IndexProblem, QueueCountsFixParams } from "./audit.ts";

/** A change of one job from the version the caller read to the record it computed. */
export interface JobUpdate {
  /** The record as the caller read it: the store applies the change only if it still is. */
  before: Job;
  /** The record as it should be (the result of a transition). */
  after: Job;
}

/** What became of a batch of updates. */
export interface JobUpdateResult {
  /** Ids whose update was written. */
  applied: string[];
  /** Ids changed or deleted by someone else since the caller read them: nothing written. */
  conflicted: string[];
}

/** A job change a store wrote: `before` null for an insert, `after` null for a delete. */
export interface JobChange {
  before: Job | null;
  after: Job | null;
}

/**
 * What a store is opened with to hear of the job changes it writes (`onJobsWritten`): it is
 * called after each successful write with every job change of it (inserts, updates, claims,
 * deletes, the changes of a record commit or a cascade, the claimed jobs as they were
 * queued), in this process only. It must not throw. The job statistics are summed this way
 * (`src/metrics/stat_tally.ts`), above the store.
 *
 * @example
 * ```ts
 * import type { JobsWrittenListener } from "./store.ts";
 * let written = 0;
 * const listener: JobsWrittenListener = (changes) => void (written += changes.length);
 * ```
 */
export type JobsWrittenListener = (changes: JobChange[]) => void;

/** Filters and page of a job listing, newest first. */
export interface JobListParams {
  state?: JobState;
  queue?: string;
  task?: string;
  /** At most this many jobs (the store may return fewer and still give a cursor). */
  limit: number;
  /** From a previous page's `nextCursor`. */
  cursor?: string;
}

/** One page of a listing. `nextCursor` is absent on the last page. */
export interface JobPage {
  jobs: Job[];
  nextCursor?: string;
}

/** Exact counts of one queue's jobs per state. */
export type QueueCounts = { name: string } & Record<JobState, number>;

/** Parameters of a claim. */
export interface JobClaimParams {
  /** Queues in priority order: later queues are served only when earlier ones are empty. */
  queues: string[];
  workerId: string;
  /** At most this many jobs. */
  limit: number;
  leaseMs: number;
  now: number;
}

/** Parameters of a capped claim (`Store.jobClaimCapped`). */
export interface CappedClaimParams extends JobClaimParams {
  /**
   * At most this many jobs of a task (`tasks`, by task name) or of a queue (`queues`, by
   * queue name) in this claim, across all its queues; 0 takes none. A job past a cap stays
   * queued, untouched, and the jobs behind it are still taken: the claim looks past it, up
   * to a few hundred jobs per queue. Features above the store set them (rate limits,
   * `src/guards/rate_limit_tokens.ts`).
   */
  caps: ClaimCaps;
}

/** The caps of a claim (`CappedClaimParams.caps`): most jobs per task and per queue. */
export interface ClaimCaps {
  tasks?: Record<string, number>;
  queues?: Record<string, number>;
}

/** The names of the caps that kept ready jobs out of a capped claim (`CappedClaim.heldBack`). */
export interface HeldBack {
  tasks: string[];
  queues: string[];
}

/** What a capped claim answers. */
export interface CappedClaim {
  /** The jobs claimed, as `jobClaim` answers them. */
  jobs: Job[];
  /**
   * The caps that kept out a ready job the claim had room for: each cap used up of such a
   * job, its task's, its queue's or both (the claim looks no further into a queue than the
   * first job its used-up cap holds back). Empty: every ready job the claim looked at and had
   * room for was taken. A race may add a name that held nothing back, never leave one out.
   */
  heldBack: HeldBack;
}

/** What {@linkcode Store.jobInsertMany} writes. */
export interface JobInsertParams {
  jobs: Job[];
  /**
   * Each job's {@linkcode Store.jobBytes}, when the caller has measured it already (the
   * producer does, for its own limit check): the store may take these instead of measuring
   * every record again, which is most of a small job's cost before the commit.
   */
  bytes?: readonly number[];
}

/** Everything tq needs of a broker. */
export interface Store {
  /** Largest job record, in bytes as the store measures it, that it can hold. */
  readonly maxJobBytes: number;

  /** The most jobs one `jobInsertMany` call takes (bigger batches are split by callers). */
  readonly maxInsertBatch: number;

  /**
   * The most bytes of records (as `jobBytes` measures them) that callers put in one
   * `jobInsertMany` call: the KV file's is what fits its 819,200-byte commit with the index
   * entries, Redis's what one insert script may copy without holding Redis up for long.
   * A single record up to `maxJobBytes` is always taken, even when this is smaller.
   */
  readonly maxCommitBytes: number;

  /**
   * How many `jobInsertMany` calls the group commit of single enqueues may have on their
   * way at once; 1 if not given. More let the next batch be prepared while the store
   * writes one, where the store takes calls in parallel or pipelined.
   */
  readonly insertsInFlight?: number;

  /**
   * The most jobs a worker asks one `jobClaim` call for, when it has that many free slots;
   * 50 if not given. A larger claim spreads one round trip over more jobs.
   */
  readonly maxClaimBatch?: number;

  /** The size of a record as this store would hold it, to compare with `maxJobBytes`. */
  jobBytes(job: Job): number;

  /**
   * Writes new jobs (from `createJob`) with their index entries: all of them or none.
   * Throws `PayloadTooLargeError` for a record over {@linkcode Store.maxJobBytes}, and
   * `RangeError` for more than {@linkcode Store.maxInsertBatch} jobs or for a job with
   * `dependsOn`, a group or a concurrency key (`src/flows/linked_store.ts` links those over
   * `recordCommit`).
   */
  jobInsertMany(params: JobInsertParams): Promise<void>;

  /**
   * Reads and record commits inside `transaction`, a transaction the caller opened with the
   * store's own client (PostgreSQL: postgres.js' `tx`): what is read sees the transaction's
   * own writes and is locked until it ends; what is committed (jobs as `recordCommit`
   * inserts them) exists if and only if it commits, and idle workers wake when it does; a
   * commit that answers false wrote nothing, and the transaction goes on. What
   * `task.enqueue(input, { transaction })` writes through (`src/flows/linked_store.ts`'s
   * `insertWithin`). Only a store whose writes are transactions of a client the caller can
   * hold has it.
   */
  within?(transaction: unknown): Pick<Store, "jobGetMany" | "recordGet" | "recordCommit">;

  /**
   * Takes up to `limit` ready jobs, best first (queue order, then priority, run-at and
   * enqueue order), applies `claimJob` to each and returns them. No job is handed to two
   * claimants, whatever the number of processes. Every queue given is claimed from:
   * callers leave paused ones out (`src/guards/queue_pauses.ts`).
   */
  jobClaim(params: JobClaimParams): Promise<Job[]>;

  /**
   * `jobClaim` under caps, telling which caps held ready jobs back (features above the store
   * use it to pay for a scarce resource only when jobs wait for it: rate limits reserve
   * starts for those caps, and claim them).
   */
  jobClaimCapped(params: CappedClaimParams): Promise<CappedClaim>;

  /**
   * Writes each update whose `before.version` still matches the stored record, moving its
   * index entries and counts with it. Each update succeeds or fails on its own. An update
   * that settles dependants (`settlesDependants`) is refused (`RangeError`): it goes with
   * their changes in one `recordCommit` (`src/flows/linked_store.ts`).
   */
  jobUpdateMany(params: { updates: JobUpdate[] }): Promise<JobUpdateResult>;

  /**
   * Deletes a job and its index entries if it is still at `version`; false if not. With
   * `dependants` (changes of other jobs, computed by `src/flows/deletion.ts`), those are
   * written in the same atomic write, and nothing is written unless every `before` is
   * still current.
   */
  jobDelete(params: { job: Job; dependants?: JobUpdate[] }): Promise<boolean>;

  /**
   * Deletes every job still at the version given, as `jobDelete` does, in as few writes
   * as the backend allows; answers the ids deleted. What the pruner uses.
   */
  jobDeleteMany(params: { jobs: Job[] }): Promise<string[]>;

  /** One job by id, or null. */
  jobGet(id: string): Promise<Job | null>;

  /** Jobs by id, in the same order, null where missing. */
  jobGetMany(ids: string[]): Promise<(Job | null)[]>;

  /** Jobs newest first, filtered, a page at a time. */
  jobList(params: JobListParams): Promise<JobPage>;

  /**
   * Scheduled jobs, and waiting jobs (whose `runAt` is their wait's timeout), whose `runAt`
   * is at or before `now`, earliest first. This and the three other time-index listings
   * below answer only records still due by their own fields when read (`time_index.ts`):
   * an entry another process acted on meanwhile is left out.
   */
  jobListDue(params: { now: number; limit: number }): Promise<Job[]>;

  /** The earliest `runAt` among scheduled and waiting jobs, or null when there is none. */
  jobNextRunAt(): Promise<number | null>;

  /**
   * Waiting jobs whose `waitEvent` and `waitKey` are `event` and `key`, at most `limit`, in
   * any order: the jobs an event wakes.
   */
  jobListWaiting(params: WaitingListParams): Promise<Job[]>;

  /** Started jobs whose lease expired at or before `now`. */
  jobListLeaseExpired(params: { now: number; limit: number }): Promise<Job[]>;

  /** Terminal jobs whose `expiresAt` is at or before `now`. */
  jobListExpired(params: { now: number; limit: number }): Promise<Job[]>;

  /**
   * Jobs whose completion callback is due (`callbackDueAt` at or before `now`), earliest
   * first. The pending callback is an index entry derived from the record, so it is written
   * in the same commit as the job's terminal state (see `src/callbacks/`).
   */
  jobListCallbackDue(params: { now: number; limit: number }): Promise<Job[]>;

  /** Counts per state of every queue that has ever held a job, by name. */
  queueCounts(): Promise<QueueCounts[]>;

  /**
   * For each of `queues`, in order, the earliest `runAt` among its ready (`queued`) jobs:
   * when the longest-waiting one became ready; null for a queue with none. A few reads per
   * queue (one per priority level holding ready jobs), for metrics and autoscaling.
   */
  queueOldestReady(params: { queues: string[] }): Promise<(number | null)[]>;

  /**
   * Resolves when ready jobs may have appeared in one of `queues` (enqueued, promoted or
   * released by any process), after at most `timeoutMs`, or when `signal` aborts. It
   * resolves to a count of the news the process has heard; a claimant passes it back as
   * `since` to its next wait (0 to its first), which then returns at once if news came while
   * it claimed, even though another waiter of the process was woken by it. Without `since`,
   * only news from the call on wakes it.
   */
  workWait(
    params: { queues: string[]; timeoutMs: number; signal?: AbortSignal; since?: number },
  ): Promise<number>;

  /**
   * Resolves when a job may have been scheduled (delayed, or a retry's backoff), a
   * completion callback become due (`src/store/timers.ts`) or `timerNotify` been called
   * (a batch created), by any process; after at most
   * `timeoutMs`, or when `signal` aborts. It listens from the call on, so a caller starts
   * it before reading the next due time. Optional: without it the promoter and the
   * callback sender look again every few hundred ms, the batch watcher every second, instead
   * of sleeping until woken.
   */
  timerWait?(params: { timeoutMs: number; signal?: AbortSignal }): Promise<void>;

  /**
   * Wakes the `timerWait` calls of every process, as a write of a job with a timer does:
   * for a change above the store that a timed service waits for (a batch created, which
   * the batch watcher completes). A store has it if and only if it has `timerWait`.
   */
  timerNotify?(): Promise<void>;

  /**
   * Wakes the idle claimants of `queues` in every process, as a write that makes jobs ready
   * there does: for a change above the store that lets claims through (a queue resumed).
   */
  workNotify(params: { queues: string[] }): Promise<void>;

  /**
   * Writes a keyed record (`records.ts`), replacing the one under its key; with `ifVersion`
   * only if the record is still at that version (null: only if there is none). True when
   * written.
   */
  recordPut(params: RecordPutParams): Promise<boolean>;

  /** The record under `space` and `key` with its version, or null. */
  recordGet(params: RecordAddress): Promise<RecordRead | null>;

  /** Deletes the record under `space` and `key`; no error when there is none. */
  recordDelete(params: RecordAddress): Promise<void>;

  /** A space's records in key order, at most `limit`, within `prefix` from `from` on. */
  recordList(params: RecordListParams): Promise<StoredRecord[]>;

  /**
   * "Write these if these versions still hold": puts and deletes records and inserts jobs
   * (as `jobInsertMany` does, see `RecordCommitParams`) in one atomic write, only if every
   * check still holds; true when written, false (nothing written) when one did not. What
   * features that read records, decide and write are built on (idempotent and debounced
   * enqueues, schedule runs, batch completions).
   */
  recordCommit(params: RecordCommitParams): Promise<boolean>;

  /**
   * The counts per state of the jobs of batch `id`, which every job change sums in its own
   * atomic write (`batches.ts`); `queues` are the batch's (a store may keep counts per
   * queue). Zero for each state without a job. The batch's record is above the store
   * (`src/batches/batch_records.ts`).
   */
  batchCounts(params: { id: string; queues: string[] }): Promise<BatchCounts>;

  /**
   * Disagreements between the store's indexes and its records (`audit.ts`), at most
   * `limit`, found by scanning every index and every record: for `tq doctor`, not a loop.
   */
  indexAudit(params: { limit: number }): Promise<IndexProblem[]>;

  /**
   * Puts one problem from {@linkcode Store.indexAudit} right, in one atomic write that
   * holds only if the record is still as found; false (nothing written) if not. Safe to
   * repeat and to run while workers run.
   */
  indexRepair(params: { problem: IndexProblem }): Promise<boolean>;

  /**
   * Sets a batch's counts to `to` if they still are `from`, in one atomic write; false
   * (nothing written) if a job of the batch moved meanwhile.
   */
  batchCountsFix(params: BatchCountsFixParams): Promise<boolean>;

  /**
   * Sets a queue's counts per state to `to` if they still are `from`, in one atomic write;
   * false (nothing written) if a job of the queue moved meanwhile.
   */
  queueCountsFix(params: QueueCountsFixParams): Promise<boolean>;

  /** Throws `StoreUnavailableError` unless the store answers a read and a write. */
  ping(): Promise<void>;

  /**
   * Releases the connection or file, at once. A store whose connections take time to end
   * (PostgreSQL's pool) answers a promise that settles once they have, for a caller that
   * stops its server next or checks for leaked resources.
   */
  close(): void | Promise<void>;
}
