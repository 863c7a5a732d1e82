/**
 * The PostgreSQL store: the store contract on tables of one schema (`schema.ts`). Every
 * change of jobs is one transaction that writes the rows, checks the versions read, moves
 * the counters and sends the NOTIFY that wakes idle workers when it commits (`changes.ts`);
 * claims lock ready rows with `FOR UPDATE SKIP LOCKED` (`claims.ts`). Because a change is a
 * transaction, a caller's own postgres.js transaction can carry an enqueue
 * ({@linkcode PostgresStore.within}): the job exists exactly when the caller's data does.
 *
 * @example
 * ```ts ignore
 * import { openPostgresStore } from "./postgres_store.ts";
 * const store = await openPostgresStore("postgres://tq@127.0.0.1/app", { schema: "tq" });
 * console.log(await store.queueCounts());
 * store.close();
 * ```
 * @module
 */
import postgres, { type Sql } from "postgres";
import { type Clock, systemClock } from "../../clock.ts";
import {
  InvalidInputError,
  PayloadTooLargeError,
  StoreUnavailableError,
  TqError,
} from "../../errors.ts";
import type { Job, JobState } from "../../job.ts";
import type {
  CappedClaim,
  CappedClaimParams,
  JobClaimParams,
  JobInsertParams,
  JobListParams,
  JobPage,
  JobsWrittenListener,
  JobUpdate,
  JobUpdateResult,
  QueueCounts,
  Store,
} from "../store.ts";
import * as Records from "../records.ts";
import type { WaitingListParams } from "../events.ts";
import { type BatchCounts, emptyBatchCounts } from "../batches.ts";
import type { BatchCountsFixParams, IndexProblem, QueueCountsFixParams } from "../audit.ts";
import { PostgresRecords } from "./records.ts";
import { pingWrite } from "../ping_write.ts";
import { ChangeSet, RacedError, type Runner } from "./changes.ts";
import { DEFAULT_SCHEMA, migrate, SqlNames } from "./schema.ts";
import { PostgresReads } from "./reads.ts";
import { PostgresClaims } from "./claims.ts";
import { refuseLinked, refuseSettling } from "../unlinked.ts";
import { CapsLeft } from "../claim_caps.ts";
import { PostgresAudit } from "./audit.ts";
import { WakeUps } from "./wake_ups.ts";
import { PostgresExpiry } from "./expiry.ts";
import { PostgresCounters } from "./counters.ts";

export { DEFAULT_SCHEMA };

/** Largest record: jsonb holds far more, but a queue is no place for bulk data. */
const MAX_JOB_BYTES = 512 * 1024;
/** Jobs per insert: one statement of arrays, whatever the size. */
const MAX_INSERT_BATCH = 1_000;
/**
 * Bytes of records per insert: PostgreSQL takes far more in one statement, but the arrays
 * of one insert are built, sent and parsed whole, so 4 MiB (eight of the largest records)
 * keeps a burst of large jobs from holding a connection and the server's memory for long.
 */
const MAX_COMMIT_BYTES = 4 * 1024 * 1024;
/** Jobs a worker claims per call: one statement, one round trip. */
const MAX_CLAIM_BATCH = 100;
/** Times a transaction is run again after a deadlock or a serialization failure. */
const ATTEMPTS = 5;
/** How long `ping()` waits for an answer. */
const PING_TIMEOUT_MS = 2_000;

/** How long `close()` lets the transactions under way finish, and then the pool end. */
const CLOSE_TIMEOUT_MS = 5_000;
/** Transactions of this store between two roll-ups of the counter deltas (`counters.ts`). */
const ROLL_UP_EVERY = 10;
/** Connections per store: claims, updates and inserts go on in parallel. */
const POOL_SIZE = 10;
/** At most one deletion of expired rows (`expiry.ts`) per this long, by the store's clock. */
const EXPIRY_EVERY_MS = 60_000;

/** Options of {@linkcode openPostgresStore}. */
export interface PostgresStoreOptions {
  /** The schema holding tq's tables (default `tq`), so several apps share one database. */
  schema?: string;
  clock?: Clock;
  /** Told of the job changes each write made (`../store.ts`). */
  onJobsWritten?: JobsWrittenListener;
}

/**
 * Connects to PostgreSQL at `url`, creates or migrates the schema, and answers the store;
 * throws `StoreUnavailableError` when it cannot connect.
 *
 * @example
 * ```ts ignore
 * const store = await openPostgresStore("postgres://tq:secret@10.0.0.5/shop", { schema: "jobs" });
 * ```
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresStore> {
  const names = new SqlNames(options.schema ?? DEFAULT_SCHEMA);
  const sql = postgres(url, {
    max: POOL_SIZE,
    onnotice: () => {},
    connect_timeout: 10,
  });
  try {
    await migrate(sql, names);
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    if (error instanceof RangeError || error instanceof TqError) throw error;
    throw new StoreUnavailableError(`PostgreSQL unreachable: ${(error as Error).message}`);
  }
  return new PostgresStore(sql, names, options.clock ?? systemClock, options.onJobsWritten);
}

/** `\u0000` in JSON text, not preceded by an escaped backslash: a U+0000 character. */
const NUL_ESCAPE = /(^|[^\\])(\\\\)*\\u0000/;

/** SQLSTATEs after which running the transaction again may succeed. */
const RETRYABLE = new Set(["40001", "40P01"]);

/** The SQLSTATE of a PostgreSQL error, if it is one. */
const sqlState = (error: unknown) =>
  error instanceof postgres.PostgresError ? error.code : undefined;

/** postgres.js's own codes, and the socket's, for a connection that is gone. */
const CONNECTION_GONE = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
]);

/**
 * Whether `error` says the connection is gone (or going: the server's own shutdown, class 57P0),
 * so the server rolls the transaction back by itself. A ROLLBACK sent after it would never be
 * answered: postgres.js leaves a query on a closed reserved connection pending for good.
 */
function connectionGone(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined) return /^(08|57P0)/.test(state);
  return CONNECTION_GONE.has(String((error as { code?: unknown } | null)?.code));
}

/** An error as callers should see it: tq's own kept, anything else "unreachable". */
function reached(error: unknown): unknown {
  if (error instanceof TqError || error instanceof RangeError) return error;
  const state = sqlState(error);
  if (state !== undefined && !/^(08|53|57)/.test(state)) return error; // a real SQL error
  return new StoreUnavailableError(`PostgreSQL unavailable: ${(error as Error).message}`);
}

/** `transaction` as a caller's postgres.js transaction; `TypeError` if it is none. */
function callerTransaction(transaction: unknown): Runner {
  if (typeof (transaction as Runner | null)?.unsafe !== "function") {
    throw new TypeError("transaction: expected a postgres.js transaction (sql.begin's tx)");
  }
  return transaction as Runner;
}

/** The PostgreSQL store. */
export class PostgresStore implements Store {
  readonly maxJobBytes = MAX_JOB_BYTES;
  readonly maxInsertBatch = MAX_INSERT_BATCH;
  readonly maxCommitBytes = MAX_COMMIT_BYTES;
  readonly maxClaimBatch = MAX_CLAIM_BATCH;
  /** Each insert is its own transaction on its own connection. */
  readonly insertsInFlight = 2;
  readonly #sql: Sql;
  readonly #names: SqlNames;
  readonly #clock: Clock;
  readonly #reads: PostgresReads;
  readonly #claims: PostgresClaims;
  readonly #audit: PostgresAudit;
  readonly #records: PostgresRecords;
  readonly #wakeUps: WakeUps;
  readonly #counters: PostgresCounters;
  readonly #expiry: PostgresExpiry;
  /** Transactions since the last roll-up, and the roll-up under way. */
  #writes = 0;
  /** When expired rows were last deleted (-Infinity: not yet). */
  #expiredAt = -Infinity;
  #rollingUp: Promise<void> | undefined;
  /** The transactions under way, each on a reserved connection, for `close()` to wait on. */
  readonly #inFlight = new Set<Promise<unknown>>();

  /** The store's `onJobsWritten` listener, or one that does nothing. */
  readonly #report: JobsWrittenListener;

  constructor(sql: Sql, names: SqlNames, clock: Clock, report: JobsWrittenListener = () => {}) {
    this.#sql = sql;
    this.#report = report;
    this.#names = names;
    this.#clock = clock;
    this.#reads = new PostgresReads(sql, names);
    this.#claims = new PostgresClaims(names);
    this.#audit = new PostgresAudit(names);
    this.#records = new PostgresRecords(sql, names, clock);
    this.#wakeUps = new WakeUps(sql, names.channel, clock);
    this.#counters = new PostgresCounters(names);
    this.#expiry = new PostgresExpiry(names);
  }

  jobBytes(job: Job): number {
    return new TextEncoder().encode(JSON.stringify(job)).length;
  }

  jobInsertMany({ jobs, bytes }: JobInsertParams): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    this.#checkInsert(jobs, bytes);
    refuseLinked(jobs);
    return this.#transaction((tx, changes) => changes.insert(tx, jobs));
  }

  /** Refuses what PostgreSQL would: too large, too many, or a U+0000 that jsonb cannot hold. */
  #checkInsert(jobs: Job[], sizes?: readonly number[]): void {
    jobs.forEach((job, i) => {
      const text = JSON.stringify(job);
      const bytes = sizes?.[i] ?? new TextEncoder().encode(text).length;
      if (bytes > MAX_JOB_BYTES) {
        throw new PayloadTooLargeError(bytes, MAX_JOB_BYTES, `job ${job.id}`);
      }
      if (NUL_ESCAPE.test(text)) {
        throw new InvalidInputError([{
          path: "input",
          message: "must not hold the character U+0000: PostgreSQL's jsonb cannot store it",
        }]);
      }
    });
    if (jobs.length > MAX_INSERT_BATCH) {
      throw new RangeError(`at most ${MAX_INSERT_BATCH} jobs per insert; got ${jobs.length}`);
    }
  }

  /**
   * Reads (each row locked, `FOR UPDATE`) and record commits inside `transaction`, a caller's
   * own postgres.js transaction (the `tx` of `sql.begin(async (tx) => …)`, on a connection to
   * this store's database): rolled back, nothing written; committed, the jobs exist and idle
   * workers wake (the NOTIFY is part of that transaction). A commit that can fail a check
   * runs under a savepoint: one whose check fails is rolled back to it and answers false,
   * and the caller's transaction goes on; one that only inserts jobs (a plain transactional
   * enqueue) needs none. The caller's transaction must not have failed already.
   */
  within(transaction: unknown): Pick<Store, "jobGetMany" | "recordGet" | "recordCommit"> {
    const tx = callerTransaction(transaction);
    return {
      jobGetMany: (ids) => this.#reads.getMany(ids, tx, true),
      recordGet: (address) => this.#records.get(address, tx),
      recordCommit: (params) => this.#commitWithin(tx, params),
    };
  }

  async #commitWithin(tx: Runner, params: Records.RecordCommitParams): Promise<boolean> {
    this.#checkCommit(params);
    const { checks = [], puts = [], deletes = [], updates = [] } = params;
    const checked = checks.length + puts.length + deletes.length + updates.length > 0;
    if (checked) await tx.unsafe("SAVEPOINT tq_record_commit");
    try {
      const changes = new ChangeSet(this.#names);
      await this.#commitIn(tx, changes, params);
      await changes.flush(tx);
      if (checked) await tx.unsafe("RELEASE SAVEPOINT tq_record_commit");
      // Told now, not at the caller's commit, which the store does not see: the jobs of a
      // transaction rolled back afterwards are counted as enqueued all the same.
      this.#report(changes.written);
      return true;
    } catch (error) {
      if (!checked) throw reached(error);
      await tx.unsafe("ROLLBACK TO SAVEPOINT tq_record_commit");
      if (error instanceof RacedError) return false;
      throw reached(error);
    }
  }

  jobClaim(params: JobClaimParams): Promise<Job[]> {
    const { queues, workerId, limit, leaseMs, now } = params;
    if (queues.length === 0 || limit <= 0) return Promise.resolve([]);
    return this.#transaction(async (tx, changes) => {
      const claimed: Job[] = [];
      for (const queue of queues) {
        if (claimed.length >= limit) break;
        const claim = { queue, workerId, leaseMs, now, limit: limit - claimed.length };
        claimed.push(...await this.#claims.plain(tx, changes, claim));
      }
      return claimed;
    });
  }

  jobClaimCapped(params: CappedClaimParams): Promise<CappedClaim> {
    const { queues, workerId, limit, leaseMs, now, caps } = params;
    const nothing = { jobs: [], heldBack: { tasks: [], queues: [] } };
    if (queues.length === 0 || limit <= 0) return Promise.resolve(nothing);
    return this.#transaction(async (tx, changes) => {
      const claimed: Job[] = [];
      // Made in the transaction: a retried one counts its caps afresh.
      const left = new CapsLeft(caps);
      for (const queue of queues) {
        if (claimed.length >= limit) break;
        const claim = { queue, workerId, leaseMs, now, limit: limit - claimed.length };
        claimed.push(...await this.#claims.capped(tx, changes, { ...claim, caps: left }));
      }
      return { jobs: claimed, heldBack: left.heldBack() };
    });
  }

  async jobUpdateMany({ updates }: { updates: JobUpdate[] }): Promise<JobUpdateResult> {
    for (const { before, after } of updates) {
      if (before.queue !== after.queue || before.id !== after.id) {
        throw new RangeError(`job ${before.id}: an update cannot change a job's id or queue`);
      }
    }
    refuseSettling(updates);
    const written = await this.#transaction((tx, changes) => changes.update(tx, updates));
    const result: JobUpdateResult = { applied: [], conflicted: [] };
    for (const { before } of updates) {
      (written.has(before.id) ? result.applied : result.conflicted).push(before.id);
    }
    return result;
  }

  jobDelete({ job, dependants = [] }: { job: Job; dependants?: JobUpdate[] }): Promise<boolean> {
    return this.#transaction(async (tx, changes) => {
      const deleted = await changes.delete(tx, [job]);
      if (!deleted.has(job.id)) throw new RacedError(job.id);
      await changes.updateAll(tx, dependants);
      return true;
    }, false);
  }

  async jobDeleteMany({ jobs }: { jobs: Job[] }): Promise<string[]> {
    if (jobs.length === 0) return [];
    const deleted = await this.#transaction((tx, changes) => changes.delete(tx, jobs));
    return jobs.filter((job) => deleted.has(job.id)).map((job) => job.id);
  }

  async jobGet(id: string): Promise<Job | null> {
    const [job] = await this.jobGetMany([id]);
    return job;
  }

  jobGetMany(ids: string[]): Promise<(Job | null)[]> {
    return this.#call(() => this.#reads.getMany(ids));
  }

  jobList(params: JobListParams): Promise<JobPage> {
    return this.#call(() => this.#reads.list(params));
  }

  jobListDue({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    return this.#call(() => this.#reads.indexedBefore("sched", now, limit));
  }

  jobNextRunAt(): Promise<number | null> {
    return this.#call(() => this.#reads.nextRunAt());
  }

  jobListWaiting(params: WaitingListParams): Promise<Job[]> {
    return this.#call(() => this.#reads.waiting(params));
  }

  jobListLeaseExpired({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    return this.#call(() => this.#reads.indexedBefore("lease", now, limit));
  }

  jobListExpired({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    return this.#call(() => this.#reads.indexedBefore("exp", now, limit));
  }

  jobListCallbackDue({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    return this.#call(() => this.#reads.indexedBefore("callback", now, limit));
  }

  queueCounts(): Promise<QueueCounts[]> {
    return this.#call(() => this.#reads.queueCounts());
  }

  queueOldestReady({ queues }: { queues: string[] }): Promise<(number | null)[]> {
    return this.#call(() => this.#reads.oldestReady(queues));
  }

  workWait(
    params: { queues: string[]; timeoutMs: number; signal?: AbortSignal; since?: number },
  ): Promise<number> {
    return this.#wakeUps.wait(params);
  }

  workNotify({ queues }: { queues: string[] }): Promise<void> {
    return this.#transaction((_tx, changes) => {
      for (const queue of queues) changes.wake(queue);
      return Promise.resolve();
    });
  }

  recordPut(params: Records.RecordPutParams): Promise<boolean> {
    return this.#call(() => this.#records.put(params));
  }

  recordCommit(params: Records.RecordCommitParams): Promise<boolean> {
    this.#checkCommit(params);
    return this.#transaction(async (tx, changes) => {
      await this.#commitIn(tx, changes, params);
      return true;
    }, false);
  }

  #checkCommit(params: Records.RecordCommitParams): void {
    const { jobs = [], updates = [] } = params;
    Records.checkCommitJobs(params, this);
    this.#checkInsert([...jobs, ...updates.map((update) => update.after)]);
  }

  /** A record commit's writes in `tx`; `RacedError` when a check or an update fails. */
  async #commitIn(
    tx: Runner,
    changes: ChangeSet,
    params: Records.RecordCommitParams,
  ): Promise<void> {
    await this.#records.commit(tx, params);
    await changes.insert(tx, params.jobs ?? []);
    await changes.updateAll(tx, params.updates ?? []);
  }

  recordGet(address: Records.RecordAddress): Promise<Records.RecordRead | null> {
    return this.#call(() => this.#records.get(address));
  }

  recordDelete(address: Records.RecordAddress): Promise<void> {
    return this.#call(() => this.#records.delete(address));
  }

  recordList(params: Records.RecordListParams): Promise<Records.StoredRecord[]> {
    return this.#call(() => this.#records.list(params));
  }

  batchCounts({ id }: { id: string; queues: string[] }): Promise<BatchCounts> {
    return this.#call(async () => {
      const counts = emptyBatchCounts();
      const rows = await this.#counters.read(this.#sql, "batch", { only: [id] });
      for (const row of rows) counts[row.b as JobState] = row.n;
      return counts;
    });
  }

  indexAudit(params: { limit: number }): Promise<IndexProblem[]> {
    return this.#call(() => this.#audit.indexAudit(this.#sql, params));
  }

  indexRepair(params: { problem: IndexProblem }): Promise<boolean> {
    return this.#transaction(async (tx, changes) => {
      const { repaired, readyIn } = await this.#audit.indexRepair(tx, params);
      if (readyIn !== undefined) changes.wake(readyIn);
      return repaired;
    });
  }

  batchCountsFix(params: BatchCountsFixParams): Promise<boolean> {
    return this.#transaction((tx) => this.#audit.batchCountsFix(tx, params));
  }

  queueCountsFix(params: QueueCountsFixParams): Promise<boolean> {
    return this.#transaction((tx) => this.#audit.queueCountsFix(tx, params));
  }

  ping(): Promise<void> {
    const write = () =>
      this.#sql.unsafe(
        `INSERT INTO ${this.#names.table("meta")} ("key", "value") VALUES ('ping', $1)
         ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"`,
        [String(this.#clock.now())],
      );
    return pingWrite("PostgreSQL", write, { timeoutMs: PING_TIMEOUT_MS, clock: this.#clock });
  }

  /**
   * Wakes every waiter, lets the transactions under way finish, then ends the pool; the answer
   * settles once its connections are closed, for a caller that stops the server next. (Ended
   * while a reserved connection is in use, postgres.js would keep that connection, released
   * or not, until the end's timeout.)
   */
  async close(): Promise<void> {
    this.#wakeUps.close();
    const waited = new AbortController();
    await Promise.race([
      Promise.allSettled(this.#inFlight),
      this.#clock.sleep(CLOSE_TIMEOUT_MS, waited.signal),
    ]);
    waited.abort();
    await this.#sql.end({ timeout: CLOSE_TIMEOUT_MS / 1000 }).catch(() => {});
  }

  /**
   * Counts a transaction; every {@linkcode ROLL_UP_EVERY}th starts a roll-up of the counter
   * deltas, one at a time, in the background (a failed one is retried by the next), and at
   * most once per {@linkcode EXPIRY_EVERY_MS} a deletion of expired rows with it.
   */
  #wrote(): void {
    if (++this.#writes < ROLL_UP_EVERY || this.#rollingUp) return;
    this.#writes = 0;
    const now = this.#clock.now();
    const expire = now - this.#expiredAt >= EXPIRY_EVERY_MS;
    if (expire) this.#expiredAt = now;
    this.#rollingUp = this.#sql.begin(async (sql) => {
      const tx = sql as unknown as Runner;
      await this.#counters.rollUp(tx);
      if (expire) await this.#expiry.deleteExpired(tx, now);
    })
      .then(() => {}, () => {})
      .finally(() => this.#rollingUp = undefined);
  }

  /** A read, its failures mapped (`reached`). */
  async #call<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw reached(error);
    }
  }

  /**
   * Runs `work` in a transaction of its own with a fresh change set, flushed last; again
   * after a deadlock. A `RacedError` rolls back and answers `raced` when given.
   */
  async #transaction<T>(work: (tx: Runner, changes: ChangeSet) => Promise<T>, raced?: T) {
    for (let attempt = 1;; attempt++) {
      try {
        const once = this.#once(work);
        const settled = () => this.#inFlight.delete(once);
        this.#inFlight.add(once);
        once.then(settled, settled);
        const result = await once;
        this.#wrote();
        return result;
      } catch (error) {
        if (error instanceof RacedError && raced !== undefined) return raced;
        if (RETRYABLE.has(sqlState(error) ?? "") && attempt < ATTEMPTS) continue;
        throw reached(error);
      }
    }
  }

  /**
   * One run of `work` in a transaction on a connection of its own. `BEGIN` goes out
   * pipelined with the first statement (postgres.js' `begin` waits for its answer first):
   * one round trip less per transaction, on the claim and completion paths.
   */
  async #once<T>(work: (tx: Runner, changes: ChangeSet) => Promise<T>): Promise<T> {
    const connection = await this.#sql.reserve();
    const tx = connection as unknown as Runner;
    try {
      const begun = tx.unsafe("BEGIN");
      begun.catch(() => {}); // its failure fails the statements after it
      const changes = new ChangeSet(this.#names);
      const result = await work(tx, changes);
      await changes.flush(tx);
      await begun;
      await tx.unsafe("COMMIT");
      if (changes.written.length > 0) this.#report(changes.written);
      return result;
    } catch (error) {
      if (!connectionGone(error)) await tx.unsafe("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      connection.release();
    }
  }
}
