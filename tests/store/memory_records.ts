/**
 * The keyed-record primitives of the store contract (`src/store/records.ts`) in memory,
 * for unit tests of the features written over them (sessions, the worker registry, queue
 * pauses, task holds, idempotent enqueues, batches, linked writes). `memory_records_test.ts` runs the records and
 * record-commit conformance suites on it, so it behaves as the real stores do; values are
 * copied through JSON as a store would, and a record past its time to live (on the
 * injected clock) is dropped. Jobs a commit inserts or updates are kept by id only (no
 * indexes, counts or claims: those are the real stores' conformance); a batch's counts are
 * those of the jobs kept.
 *
 * @example
 * ```ts ignore
 * const records = new MemoryRecords(new FakeClock());
 * await records.recordPut({ space: "queue_pause", key: "mail", value: true });
 * ```
 * @module
 */
import type { Clock } from "../../src/clock.ts";
import type * as Records from "../../src/store/records.ts";
import type { Store } from "../../src/store/store.ts";
import type { Job } from "../../src/job.ts";
import { checkCommitJobs } from "../../src/store/records.ts";
import { type BatchCounts, emptyBatchCounts } from "../../src/store/batches.ts";

/** The part of the store contract {@linkcode MemoryRecords} implements. */
export type RecordStore = Pick<
  Store,
  | "recordPut"
  | "recordGet"
  | "recordDelete"
  | "recordList"
  | "recordCommit"
  | "jobGet"
  | "jobGetMany"
  | "jobInsertMany"
  | "workNotify"
  | "timerNotify"
  | "batchCounts"
>;

interface Kept {
  text: string;
  version: string;
  expiresAt: number;
}

/** Keyed records in a map, on an injected clock. */
export class MemoryRecords implements RecordStore, Records.InsertLimits {
  // Limits as the KV file's, so a commit too big for it fails here too.
  readonly maxJobBytes = 64_000;
  readonly maxInsertBatch = 300;
  readonly maxCommitBytes = 400_000;
  readonly #clock: Clock;
  readonly #records = new Map<string, Map<string, Kept>>();
  readonly #jobs = new Map<string, string>();
  #versions = 0;
  /** The queues of every `workNotify` call, in order. */
  readonly notified: string[][] = [];
  /** How many times `timerNotify` was called. */
  timerNotices = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  jobBytes(job: Job): number {
    return new TextEncoder().encode(JSON.stringify(job)).length;
  }

  recordPut({ space, key, value, ttlMs, ifVersion }: Records.RecordPutParams): Promise<boolean> {
    const held = this.#live({ space, key });
    if (ifVersion !== undefined && (held?.version ?? null) !== ifVersion) {
      return Promise.resolve(false);
    }
    const expiresAt = ttlMs === undefined ? Infinity : this.#clock.now() + ttlMs;
    const records = this.#records.get(space) ?? new Map<string, Kept>();
    records.set(key, { text: JSON.stringify(value), version: String(++this.#versions), expiresAt });
    this.#records.set(space, records);
    return Promise.resolve(true);
  }

  recordCommit(
    { checks = [], puts = [], deletes = [], jobs = [], updates = [] }: Records.RecordCommitParams,
  ): Promise<boolean> {
    checkCommitJobs({ jobs, updates }, this);
    const fails = checks.some((check) => (this.#live(check)?.version ?? null) !== check.version);
    if (fails) return Promise.resolve(false);
    const moved = updates.some(({ before }) => {
      const text = this.#jobs.get(before.id);
      return text === undefined || (JSON.parse(text) as Job).version !== before.version;
    });
    if (moved) return Promise.resolve(false);
    const held = jobs.find((job) => this.#jobs.has(job.id));
    if (held) return Promise.reject(new Error(`job ${held.id} exists`));
    for (const put of puts) void this.recordPut(put);
    for (const address of deletes) void this.recordDelete(address);
    for (const job of [...jobs, ...updates.map((update) => update.after)]) {
      this.#jobs.set(job.id, JSON.stringify(job));
    }
    return Promise.resolve(true);
  }

  /** Keeps the jobs as they are: no lanes, no links (the real stores' conformance). */
  jobInsertMany({ jobs }: { jobs: Job[] }): Promise<void> {
    for (const job of jobs) this.#jobs.set(job.id, JSON.stringify(job));
    return Promise.resolve();
  }

  jobGet(id: string): Promise<Job | null> {
    const text = this.#jobs.get(id);
    return Promise.resolve(text === undefined ? null : JSON.parse(text));
  }

  jobGetMany(ids: string[]): Promise<(Job | null)[]> {
    return Promise.all(ids.map((id) => this.jobGet(id)));
  }

  /** Deletes a job, as a worker or the pruner would. */
  jobForget(id: string): void {
    this.#jobs.delete(id);
  }

  recordGet(address: Records.RecordAddress): Promise<Records.RecordRead | null> {
    const held = this.#live(address);
    return Promise.resolve(held ? { value: JSON.parse(held.text), version: held.version } : null);
  }

  recordDelete({ space, key }: Records.RecordAddress): Promise<void> {
    this.#records.get(space)?.delete(key);
    return Promise.resolve();
  }

  recordList(
    { space, limit, prefix = "", from = "" }: Records.RecordListParams,
  ): Promise<Records.StoredRecord[]> {
    const keys = [...this.#records.get(space)?.keys() ?? []]
      .filter((key) => key.startsWith(prefix) && key >= from).sort();
    const live = keys.flatMap((key) => {
      const held = this.#live({ space, key });
      return held ? [{ key, value: JSON.parse(held.text) }] : [];
    });
    return Promise.resolve(live.slice(0, limit));
  }

  workNotify({ queues }: { queues: string[] }): Promise<void> {
    this.notified.push(queues);
    return Promise.resolve();
  }

  timerNotify(): Promise<void> {
    this.timerNotices++;
    return Promise.resolve();
  }

  batchCounts({ id }: { id: string; queues: string[] }): Promise<BatchCounts> {
    const counts = emptyBatchCounts();
    for (const text of this.#jobs.values()) {
      const job = JSON.parse(text) as Job;
      if (job.batchId === id) counts[job.state]++;
    }
    return Promise.resolve(counts);
  }

  /** The record, dropped first if its time to live has passed. */
  #live({ space, key }: Records.RecordAddress): Kept | undefined {
    const held = this.#records.get(space)?.get(key);
    if (held && held.expiresAt <= this.#clock.now()) this.#records.get(space)!.delete(key);
    return held && held.expiresAt > this.#clock.now() ? held : undefined;
  }
}
