/**
 * The default store: one Deno KV (SQLite) file. Every change is one atomic commit that
 * checks the versionstamps of the records it read, so two processes never both claim or
 * settle a job; records and their index entries (see `keys.ts`) always move together.
 *
 * @example
 * ```ts ignore
 * import { openKvStore } from "./kv_store.ts";
 * const store = await openKvStore("./data/tq.db");
 * console.log(await store.queueCounts());
 * store.close();
 * ```
 * @module
 */
import { dirname } from "node:path";
import { type Clock, systemClock } from "../../clock.ts";
import { PayloadTooLargeError, StoreTooNewError, StoreUnavailableError } from "../../errors.ts";
import { type Job, JOB_STATES } from "../../job.ts";
import { claimJob } from "../../transitions/mod.ts";
import { refuseLinked, refuseSettling } from "../unlinked.ts";
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
import { Doorbell } from "./doorbell.ts";
import { type Bell, LocalBell } from "./local_bell.ts";
import { jobKey, recordKey, recordRange } from "./keys.ts";
import { listJobs } from "./list_jobs.ts";
import { reportJobsWritten, WriteBatch } from "./write_batch.ts";
import { commitWhileLocked, whileLocked } from "./lock_retry.ts";
import { byteLength, getRecords, listKeys, type StoredJob } from "./reads.ts";
import type { BatchCounts } from "../batches.ts";
import { batchCountsExpire, batchCountsRead } from "./batches.ts";
import { claimCapped } from "./capped_claims.ts";
import type { BatchCountsFixParams, IndexProblem, QueueCountsFixParams } from "../audit.ts";
import { KvAudit } from "./audit.ts";
import * as Records from "../records.ts";
import { oldestReadyAt } from "./oldest_ready.ts";
import { stillDue, type TimeIndex } from "../time_index.ts";
import type { WaitingListParams } from "../events.ts";
import { KvEvents } from "./events.ts";
import { migrateLayout } from "../migrations.ts";
import { KV_MIGRATIONS, KvLayout } from "./layout.ts";
import { hasTimer } from "../timers.ts";

/** KV's value limit is 65,536 bytes; the margin covers V8's framing beyond the JSON size. */
const MAX_JOB_BYTES = 64_000;
/**
 * Bytes of records per insert commit: KV allows 819,200 bytes per atomic operation, and
 * the index entries, keys and counters of the same jobs take much of the rest.
 */
const MAX_COMMIT_BYTES = 400_000;
/** How long a KV file may take to answer its first read at open. */
const FIRST_READ_MS = 5_000;
/** Jobs per commit: each needs one check, and KV allows 100 checks per atomic operation. */
const JOBS_PER_COMMIT = 50;
/**
 * Most rounds (read, then commit) of one claim. A claim that comes back short makes the
 * worker wait for news, up to 30 s, as if the queue were empty: with 5 rounds, the worker
 * that lost its races to another process's worker slept through the rest of a drain.
 */
const CLAIM_ROUNDS = 10;
/**
 * Jobs per insert commit: a queued job takes 2 mutations, a scheduled one 3 (its `state`
 * entry, see keys.ts), within KV's 1,000 per atomic operation with room for the sums.
 */
const MAX_INSERT_BATCH = 300;

/** Checks per atomic operation: KV's limit (a self-hosted denokv server allows only 10). */
const MAX_CHECKS = 100;

/** KV's `set` options of a record kept `ttlMs` (for good without). */
const expiry = (ttlMs: number | undefined) =>
  ttlMs === undefined ? undefined : { expireIn: Math.max(1, ttlMs) };

/** A record as read, and what it should become. */
interface Pair {
  record: StoredJob;
  after: Job;
}

function isTooLarge(error: unknown): error is TypeError {
  return error instanceof TypeError && /too large/i.test(error.message);
}

/** SQLite's words for a file it cannot write: the client should retry later (503). */
function storageTrouble(error: unknown): unknown {
  const trouble = /disk is full|readonly database|database is locked|disk I\/O error/i;
  if (!(error instanceof Error) || !trouble.test(error.message)) return error;
  return new StoreUnavailableError(`KV file cannot be written: ${error.message}`);
}

/** KV refused a commit for size: name the largest job so the caller knows what to shrink. */
function tooLarge(error: TypeError, jobs: Job[]): PayloadTooLargeError {
  const largest = Math.max(...jobs.map(byteLength));
  return new PayloadTooLargeError(largest, MAX_JOB_BYTES, `a job record (${error.message})`);
}

/** Options of {@linkcode openKvStore}. */
export interface KvStoreOptions {
  clock?: Clock;
  /** How often idle workers look for other processes' wake-ups where the file system gives
   * no watcher, in ms (2). */
  pollMs?: number;
  /**
   * The wake-ups of a `":memory:"` store (a new {@linkcode LocalBell} by default): a test
   * that moves a fake clock rings it so idle workers look again at once.
   */
  bell?: LocalBell;
  /** Told of the job changes each write made (`../store.ts`). */
  onJobsWritten?: JobsWrittenListener;
}

/**
 * Opens (creating if needed) the KV file at `path` and its folder. `":memory:"` opens a
 * store that lives in this process only and leaves no file behind (`@tq/tq/testing`).
 *
 * @example
 * ```ts ignore
 * const store = await openKvStore(await Deno.makeTempFile({ suffix: ".db" }));
 * ```
 */
export async function openKvStore(path: string, options: KvStoreOptions = {}): Promise<Store> {
  const clock = options.clock ?? systemClock;
  let kv: Deno.Kv | undefined;
  try {
    if (path === ":memory:") {
      kv = await Deno.openKv(":memory:");
      await migrate(kv, clock, "the in-memory KV store");
      if (options.onJobsWritten) reportJobsWritten(kv, options.onJobsWritten);
      const bells = { work: options.bell ?? new LocalBell(clock), timers: new LocalBell(clock) };
      return new KvStore(kv, bells, clock);
    }
    await Deno.mkdir(dirname(path), { recursive: true });
    // Two processes opening a new file at once race to create its tables and one may find it
    // locked; a few tries (each waits up to 5 s) keep a file locked for good from hanging us.
    const opened = await whileLocked(() => Deno.openKv(path), 3);
    // Not closed when the read gets no answer: closing would wait for it, as long as the lock.
    await firstRead(opened, clock);
    kv = opened;
    await migrate(kv, clock, `KV file ${path}`);
    if (options.onJobsWritten) reportJobsWritten(kv, options.onJobsWritten);
    const bellOptions = { clock, pollMs: options.pollMs };
    const bells = {
      work: new Doorbell(`${path}.bell`, bellOptions),
      timers: new Doorbell(`${path}.timers`, bellOptions),
    };
    return new KvStore(kv, bells, clock);
  } catch (error) {
    kv?.close();
    if (error instanceof StoreTooNewError) throw error;
    throw new StoreUnavailableError(`cannot open KV file ${path}: ${(error as Error).message}`);
  }
}

/**
 * Resolves once the file answers a read. A read waits for good while another process holds
 * the file's lock (an sqlite3 shell in a transaction, a stuck tq): say so instead of hanging.
 */
async function firstRead(kv: Deno.Kv, clock: Clock): Promise<void> {
  const read = kv.get(["layout", "version"]);
  const answered = new AbortController();
  const deadline = clock.sleep(FIRST_READ_MS, answered.signal).then(() => {
    if (answered.signal.aborted) return;
    throw new StoreUnavailableError(
      `no answer to a read within ${FIRST_READ_MS / 1000} s: another process probably ` +
        `holds its lock (a stuck tq, a backup, an sqlite3 shell)`,
    );
  });
  try {
    await Promise.race([read, deadline]);
  } finally {
    answered.abort();
  }
}

function migrate(kv: Deno.Kv, clock: Clock, store: string): Promise<number> {
  const layout = new KvLayout(kv, clock);
  return migrateLayout({ layout, migrations: KV_MIGRATIONS, target: kv, clock, store });
}

class KvStore implements Store {
  readonly maxJobBytes = MAX_JOB_BYTES;
  readonly maxInsertBatch = MAX_INSERT_BATCH;
  readonly maxCommitBytes = MAX_COMMIT_BYTES;
  readonly #kv: Deno.Kv;
  /** Rung when jobs become ready (`workWait`). */
  readonly #bell: Bell;
  /** Rung when a job is scheduled or its callback becomes due (`timerWait`). */
  readonly #timers: Bell;
  readonly #clock: Clock;
  readonly #events: KvEvents;
  readonly #audit: KvAudit;

  constructor(kv: Deno.Kv, bells: { work: Bell; timers: Bell }, clock: Clock) {
    this.#kv = kv;
    this.#events = new KvEvents(kv);
    this.#audit = new KvAudit(kv);
    this.#bell = bells.work;
    this.#timers = bells.timers;
    this.#clock = clock;
  }

  jobBytes(job: Job): number {
    return byteLength(job);
  }

  async jobInsertMany({ jobs, bytes }: JobInsertParams): Promise<void> {
    if (jobs.length === 0) return;
    jobs.forEach((job, i) => {
      const size = bytes?.[i] ?? byteLength(job);
      if (size > MAX_JOB_BYTES) {
        throw new PayloadTooLargeError(size, MAX_JOB_BYTES, `job ${job.id}`);
      }
    });
    if (jobs.length > MAX_INSERT_BATCH) {
      throw new RangeError(
        `at most ${MAX_INSERT_BATCH} jobs fit in one commit; got ${jobs.length}`,
      );
    }
    refuseLinked(jobs);
    // No "must not exist" checks: ids are ULIDs, and KV's 100 checks per commit would
    // otherwise cap a batch at 100 jobs.
    const batch = new WriteBatch(this.#kv);
    for (const job of jobs) batch.change(null, job);
    try {
      await batch.commit();
    } catch (error) {
      throw isTooLarge(error) ? tooLarge(error, jobs) : storageTrouble(error);
    }
    this.#ringFor(jobs);
  }

  jobClaimCapped(params: CappedClaimParams): Promise<CappedClaim> {
    return claimCapped(this.#kv, (pairs) => this.#commitPairs(pairs), params);
  }

  async jobClaim(params: JobClaimParams): Promise<Job[]> {
    const { queues, workerId, limit, leaseMs, now } = params;
    const claimed: Job[] = [];
    for (const queue of queues) {
      const prefix = ["ready", queue];
      // Set after a round lost a race: the next reads on past its keys. Claimants all read
      // the head of the index, so the one that lost would lose there again.
      let past: Deno.KvKey | undefined;
      for (let round = 0; round < CLAIM_ROUNDS && claimed.length < limit; round++) {
        const want = Math.min(limit - claimed.length, JOBS_PER_COMMIT);
        const selector = past ? { prefix, start: [...past, ""] } : { prefix };
        const ready = await listKeys(this.#kv, selector, want);
        const records = await getRecords(this.#kv, ready.map((key) => key.at(-1) as string));
        const pairs = records.filter((r): r is StoredJob => r?.job.state === "queued")
          .map((record) => ({ record, after: claimJob(record.job, { workerId, now, leaseMs }) }));
        const { applied, raced } = await this.#commitPairs(pairs);
        claimed.push(...applied);
        if (raced.length > 0) past = ready.at(-1);
        else if (ready.length < want) {
          // The end of the index: done, unless a lost commit's jobs may still be ready
          // behind us (another claimant took only some of them).
          if (past === undefined) break;
          past = undefined;
        }
      }
    }
    return claimed;
  }

  async jobUpdateMany({ updates }: { updates: JobUpdate[] }): Promise<JobUpdateResult> {
    refuseSettling(updates);
    const result: JobUpdateResult = { applied: [], conflicted: [] };
    for (let i = 0; i < updates.length; i += JOBS_PER_COMMIT) {
      const chunk = updates.slice(i, i + JOBS_PER_COMMIT);
      const raced = await this.#applyUpdates(chunk, result);
      // Another writer touched a record of this commit between our read and our commit:
      // read again and write the updates one by one, so only the real conflicts fail.
      for (const update of raced) {
        const again = await this.#applyUpdates([update], result);
        result.conflicted.push(...again.map((u) => u.before.id));
      }
    }
    const applied = new Set(result.applied);
    this.#ringFor(updates.flatMap((u) => applied.has(u.after.id) ? [u.after] : []));
    return result;
  }

  /** Writes the updates still at `before.version`; returns those that lost a race. */
  async #applyUpdates(updates: JobUpdate[], result: JobUpdateResult): Promise<JobUpdate[]> {
    const records = await getRecords(this.#kv, updates.map((u) => u.before.id));
    const pairs: Pair[] = [];
    updates.forEach((update, i) => {
      const record = records[i];
      if (record?.job.version === update.before.version) {
        pairs.push({ record, after: update.after });
      } else result.conflicted.push(update.before.id);
    });
    const { applied, raced } = await this.#commitPairs(pairs);
    result.applied.push(...applied.map((job) => job.id));
    const racedIds = new Set(raced.map((pair) => pair.after.id));
    return updates.filter((u) => racedIds.has(u.after.id));
  }

  /**
   * Commits record changes in one atomic operation, halving it while it exceeds KV's total
   * size limit. A failed versionstamp check fails its whole commit: those pairs are "raced".
   */
  async #commitPairs(pairs: Pair[]): Promise<{ applied: Job[]; raced: Pair[] }> {
    if (pairs.length === 0) return { applied: [], raced: [] };
    const batch = new WriteBatch(this.#kv);
    for (const { record, after } of pairs) {
      batch.check(jobKey(after.id), record.stamp).change(record.job, after);
    }
    try {
      const { ok } = await batch.commit();
      return ok ? { applied: pairs.map((p) => p.after), raced: [] } : { applied: [], raced: pairs };
    } catch (error) {
      if (!isTooLarge(error)) throw error;
      if (pairs.length === 1) throw tooLarge(error, [pairs[0].after]);
      const half = Math.ceil(pairs.length / 2);
      const [first, second] = await Promise.all([
        this.#commitPairs(pairs.slice(0, half)),
        this.#commitPairs(pairs.slice(half)),
      ]);
      return {
        applied: [...first.applied, ...second.applied],
        raced: [...first.raced, ...second.raced],
      };
    }
  }

  async jobDelete({ job, dependants = [] }: { job: Job; dependants?: JobUpdate[] }) {
    const ids = [job.id, ...dependants.map((u) => u.before.id)];
    const records = await getRecords(this.#kv, ids);
    const [record] = records;
    if (!record || record.job.version !== job.version) return false;
    const batch = new WriteBatch(this.#kv).check(jobKey(job.id), record.stamp).change(
      record.job,
      null,
    );
    for (const [i, { before, after }] of dependants.entries()) {
      const read = records[i + 1];
      if (read?.job.version !== before.version) return false;
      batch.check(jobKey(before.id), read.stamp).change(read.job, after);
    }
    const { ok } = await batch.commit();
    if (ok) this.#ringFor(dependants.map((u) => u.after));
    return ok;
  }

  async jobDeleteMany({ jobs }: { jobs: Job[] }): Promise<string[]> {
    const deleted: string[] = [];
    for (let i = 0; i < jobs.length; i += JOBS_PER_COMMIT) {
      const chunk = jobs.slice(i, i + JOBS_PER_COMMIT);
      const records = await getRecords(this.#kv, chunk.map((job) => job.id));
      const batch = new WriteBatch(this.#kv);
      const ids: string[] = [];
      chunk.forEach((job, k) => {
        const record = records[k];
        if (record?.job.version !== job.version) return;
        batch.check(jobKey(job.id), record.stamp).change(record.job, null);
        ids.push(job.id);
      });
      if (ids.length === 0) continue;
      if ((await batch.commit()).ok) {
        deleted.push(...ids);
        continue;
      }
      // One of them changed since we read it: delete the rest one by one.
      for (const job of chunk) if (await this.jobDelete({ job })) deleted.push(job.id);
    }
    return deleted;
  }

  async jobGet(id: string): Promise<Job | null> {
    return (await this.#kv.get<Job>(jobKey(id))).value;
  }

  async jobGetMany(ids: string[]): Promise<(Job | null)[]> {
    return (await getRecords(this.#kv, ids)).map((record) => record?.job ?? null);
  }

  jobList(params: JobListParams): Promise<JobPage> {
    return listJobs(this.#kv, params);
  }

  jobListDue({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    return this.#jobsIndexedBefore("sched", now, limit);
  }

  async jobNextRunAt(): Promise<number | null> {
    const [first] = await listKeys(this.#kv, { prefix: ["sched"] }, 1);
    return first ? first[1] as number : null;
  }

  jobListWaiting(params: WaitingListParams): Promise<Job[]> {
    return this.#events.jobListWaiting(params);
  }

  jobListLeaseExpired({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    return this.#jobsIndexedBefore("lease", now, limit);
  }

  jobListExpired({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    return this.#jobsIndexedBefore("exp", now, limit);
  }

  jobListCallbackDue({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    return this.#jobsIndexedBefore("callback", now, limit);
  }

  async queueCounts(): Promise<QueueCounts[]> {
    const queues = new Map<string, QueueCounts>();
    for await (const entry of this.#kv.list<Deno.KvU64>({ prefix: ["count"] })) {
      const [, name, state] = entry.key as [string, string, keyof QueueCounts];
      const counts = queues.get(name) ??
        { name, ...Object.fromEntries(JOB_STATES.map((s) => [s, 0])) } as QueueCounts;
      (counts as Record<string, unknown>)[state] = Number(BigInt.asIntN(64, entry.value.value));
      queues.set(name, counts);
    }
    return [...queues.values()];
  }

  queueOldestReady({ queues }: { queues: string[] }): Promise<(number | null)[]> {
    return Promise.all(queues.map((queue) => oldestReadyAt(this.#kv, queue)));
  }

  workWait(
    params: { queues: string[]; timeoutMs: number; signal?: AbortSignal; since?: number },
  ): Promise<number> {
    return this.#bell.wait(params);
  }

  async timerWait(params: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    await this.#timers.wait(params);
  }

  timerNotify(): Promise<void> {
    this.#timers.ring();
    return Promise.resolve();
  }

  workNotify(_params: { queues: string[] }): Promise<void> {
    this.#bell.ring();
    return Promise.resolve();
  }

  async recordPut(
    { space, key, value, ttlMs, ifVersion }: Records.RecordPutParams,
  ): Promise<boolean> {
    const options = expiry(ttlMs);
    const at = recordKey({ space, key });
    if (ifVersion === undefined) {
      await this.#kv.set(at, value, options);
      return true;
    }
    const check = { key: at, versionstamp: ifVersion };
    return (await commitWhileLocked(this.#kv.atomic().check(check).set(at, value, options))).ok;
  }

  async recordCommit(
    { checks = [], puts = [], deletes = [], jobs = [], updates = [] }: Records.RecordCommitParams,
  ): Promise<boolean> {
    Records.checkCommitJobs({ jobs, updates }, this);
    if (checks.length + updates.length > MAX_CHECKS) {
      throw new RangeError(
        `at most ${MAX_CHECKS} checks and updates per KV commit; got ` +
          `${checks.length + updates.length}`,
      );
    }
    const batch = new WriteBatch(this.#kv);
    for (const check of checks) batch.check(recordKey(check), check.version);
    for (const put of puts) batch.set(recordKey(put), put.value, expiry(put.ttlMs));
    await batchCountsExpire(this.#kv, batch, puts);
    for (const address of deletes) batch.delete(recordKey(address));
    for (const job of jobs) batch.change(null, job);
    const stored = updates.length > 0
      ? await getRecords(this.#kv, updates.map((u) => u.after.id))
      : [];
    for (const [i, { before, after }] of updates.entries()) {
      const record = stored[i];
      if (record?.job.version !== before.version) return false;
      batch.check(jobKey(after.id), record.stamp).change(record.job, after);
    }
    const written = [...jobs, ...updates.map((update) => update.after)];
    let committed: boolean;
    try {
      committed = (await batch.commit()).ok;
    } catch (error) {
      if (!isTooLarge(error)) throw storageTrouble(error);
      if (written.length > 0) throw tooLarge(error, written);
      throw new RangeError(`a record commit too large for a KV commit: ${error.message}`);
    }
    if (committed) this.#ringFor(written);
    return committed;
  }

  async recordGet(address: Records.RecordAddress): Promise<Records.RecordRead | null> {
    const entry = await this.#kv.get(recordKey(address));
    return entry.versionstamp === null ? null : { value: entry.value, version: entry.versionstamp };
  }

  async recordDelete(address: Records.RecordAddress): Promise<void> {
    await this.#kv.delete(recordKey(address));
  }

  async recordList(
    { space, limit, prefix, from }: Records.RecordListParams,
  ): Promise<Records.StoredRecord[]> {
    const range = recordRange({ space, prefix, from });
    const records: Records.StoredRecord[] = [];
    if (range === null) return records;
    for await (const entry of this.#kv.list(range, { limit })) {
      records.push({ key: entry.key[2] as string, value: entry.value });
    }
    return records;
  }

  batchCounts({ id }: { id: string; queues: string[] }): Promise<BatchCounts> {
    return batchCountsRead(this.#kv, id);
  }

  indexAudit(params: { limit: number }): Promise<IndexProblem[]> {
    return this.#audit.indexAudit(params);
  }

  async indexRepair(params: { problem: IndexProblem }): Promise<boolean> {
    const repaired = await this.#audit.indexRepair(params);
    if (repaired && params.problem.kind === "record_unindexed") this.#bell.ring();
    return repaired;
  }

  batchCountsFix(params: BatchCountsFixParams): Promise<boolean> {
    return this.#audit.batchCountsFix(params);
  }

  queueCountsFix(params: QueueCountsFixParams): Promise<boolean> {
    return this.#audit.queueCountsFix(params);
  }

  async ping(): Promise<void> {
    try {
      await this.#kv.set(["ping"], this.#clock.now());
    } catch (error) {
      throw new StoreUnavailableError(`KV file unusable: ${(error as Error).message}`);
    }
  }

  close(): void {
    this.#bell.close();
    this.#timers.close();
    this.#kv.close();
  }

  /** Rings the bells of what the records just written may have made ready or due. */
  #ringFor(written: readonly Job[]): void {
    if (written.some((job) => job.state === "queued")) this.#bell.ring();
    if (written.some(hasTimer)) this.#timers.ring();
  }

  async #jobsIndexedBefore(index: TimeIndex, now: number, limit: number): Promise<Job[]> {
    const keys = await listKeys(this.#kv, { prefix: [index], end: [index, now + 1] }, limit);
    const records = await getRecords(this.#kv, keys.map((key) => key.at(-1) as string));
    return stillDue(records.map((record) => record?.job ?? null), index, now);
  }
}
