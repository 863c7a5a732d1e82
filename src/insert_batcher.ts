/**
 * Group commit of single enqueues. Each `enqueue()` on its own would cost one store commit
 * (on the KV file, one fsync: a few hundred a second), so inserts that arrive while the
 * previous commit is being written wait for it and then go out together in one
 * `jobInsertMany`. An insert into an idle batcher is written at once (after the current
 * microtasks, so a burst from one tick is one commit): no added latency when idle. Right
 * after a batch of several, it waits one task more: the callers answered together come back
 * together, and their next inserts would otherwise be one commit of the first to arrive and
 * one of all the others (a commit of one job costs the KV file as much as one of fifty). A store
 * that takes several calls at once (`insertsInFlight`, Redis: pipelined on its connection)
 * gets that many batches on their way, so the next batch is encoded while the store writes
 * one instead of every caller waiting for one round trip after another.
 *
 * A batch is written whole or not at all. When a store refuses a batch for its size, each
 * job is written on its own, so one job's error never fails another caller's enqueue;
 * jobs with dependencies always go alone, since linking may refuse them.
 *
 * @example
 * ```ts ignore
 * const inserts = new InsertBatcher(store);
 * await Promise.all(jobs.map((job) => inserts.insert(job))); // one commit, not jobs.length
 * ```
 * @module
 */
import { PayloadTooLargeError } from "./errors.ts";
import type { Job } from "./job.ts";
import type { Store } from "./store/store.ts";

/** Jobs that depend on others go alone: linking may refuse them, and must not fail others. */
const isLinked = (job: Job) => "dependsOn" in job && job.dependsOn !== undefined;

const nextTask = (start: () => void) => setImmediate(start);

interface Pending {
  job: Job;
  bytes: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Gathers concurrent single inserts into few store writes, each within the store's
 * `maxInsertBatch` jobs and `maxCommitBytes` of records.
 *
 * @example
 * ```ts ignore
 * const inserts = new InsertBatcher(store);
 * await inserts.insert(job);
 * ```
 */
export class InsertBatcher {
  readonly #store: Store;
  /** Most `jobInsertMany` calls on their way at once (the store's `insertsInFlight`). */
  readonly #slots: number;
  #pending: Pending[] = [];
  #writing = 0;
  #scheduled = false;
  /** Jobs in the batch written last: more than one, and the next insert waits one task. */
  #lastBatch = 0;

  constructor(store: Store) {
    this.#store = store;
    this.#slots = store.insertsInFlight ?? 1;
  }

  /**
   * Stores `job` (from `createJob`); resolves once it is written, with others or alone.
   * `bytes`: its `store.jobBytes`, if the caller has measured it already.
   */
  insert(job: Job, bytes?: number): Promise<void> {
    if (isLinked(job)) return this.#store.jobInsertMany({ jobs: [job] });
    return new Promise((resolve, reject) => {
      this.#pending.push({ job, bytes: bytes ?? this.#store.jobBytes(job), resolve, reject });
      this.#schedule(this.#lastBatch > 1 ? nextTask : queueMicrotask);
    });
  }

  /** Starts a write through `later` if one may start and none is about to. */
  #schedule(later: (start: () => void) => void): void {
    if (this.#scheduled || this.#writing === this.#slots || this.#pending.length === 0) return;
    this.#scheduled = true;
    later(() => {
      this.#scheduled = false;
      if (this.#writing === this.#slots || this.#pending.length === 0) return;
      const batch = this.#take(this.#slots - this.#writing);
      this.#writing++;
      void this.#write(batch).finally(() => {
        this.#writing--;
        this.#schedule(queueMicrotask);
      });
      // The rest goes from a later task: encoded while the store runs this batch, and
      // answered apart from it, so its callers' next inserts come apart too.
      this.#schedule(nextTask);
    });
  }

  /**
   * The oldest pending inserts that fit one `jobInsertMany` (at least one), leaving an
   * even share to each of the `free` write slots: batches answered all at once would bring
   * all their callers back at once, and they would never be split again.
   */
  #take(free: number): Pending[] {
    const share = Math.min(this.#store.maxInsertBatch, Math.ceil(this.#pending.length / free));
    let count = 0;
    let bytes = 0;
    for (const item of this.#pending) {
      if (count === share) break;
      if (count > 0 && bytes + item.bytes > this.#store.maxCommitBytes) break;
      count++;
      bytes += item.bytes;
    }
    return this.#pending.splice(0, count);
  }

  async #write(batch: Pending[]): Promise<void> {
    try {
      const jobs = batch.map((item) => item.job);
      await this.#store.jobInsertMany({ jobs, bytes: batch.map((item) => item.bytes) });
      this.#lastBatch = batch.length;
      for (const item of batch) item.resolve();
    } catch (error) {
      if (batch.length > 1 && error instanceof PayloadTooLargeError) {
        for (const item of batch) await this.#write([item]);
      } else {
        for (const item of batch) item.reject(error);
      }
    }
  }
}
