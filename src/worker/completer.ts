/**
 * Group commit of job settlements. Handlers end in bursts; writing each outcome on its own
 * would cost one store commit per job, so settlements wait for the next macrotask (or
 * until a batch is full) and go out together in one `jobUpdateMany`. While a batch is
 * being written the next one gathers, which is what keeps throughput up under load.
 *
 * A settlement is a transition, not a record: it is applied to the latest record the
 * worker holds at write time, since the heartbeat may have moved the lease meanwhile.
 *
 * @example
 * ```ts ignore
 * const completer = new Completer({ store, running, lock, workerId, clock, logger });
 * const written = await completer.settle(entry, (job) =>
 *   finishJob(job, { now: clock.now(), result: 42, ttlMs: 86_400_000 }));
 * if (!written) console.log("lease lost: the job was rescued elsewhere");
 * await completer.stop();
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Job } from "../job.ts";
import type { Logger } from "../log.ts";
import type { JobUpdate, Store } from "../store/store.ts";
import { type RunningJob, type RunningJobs, stillHeld } from "./running_job.ts";
import { ERROR_PAUSE_MS } from "../service.ts";
import type { WriteLock } from "./write_lock.ts";

/** Settlements per `jobUpdateMany` call. */
export const SETTLE_BATCH = 100;

/** Computes a job's settled record from the latest record the worker holds. */
export type Transition = (current: Job) => Job;

interface Pending {
  entry: RunningJob;
  transition: Transition;
  resolve(written: Job | null): void;
}

/** What a {@linkcode Completer} needs. */
export interface CompleterOptions {
  store: Store;
  /** The worker's running jobs: a written settlement removes its job from here. */
  running: RunningJobs;
  /** Shared with the heartbeat so the two never write the same record at once. */
  lock: WriteLock;
  workerId: string;
  clock: Clock;
  logger: Logger;
  batchSize?: number;
  /**
   * Awaited before each write: the worker passes its claim loop's `claimed()`, so the jobs
   * of a claim start before their slots' settlements are encoded and sent.
   */
  before?: () => Promise<void>;
  /** Called after each write, once its jobs have left `running`. */
  written?: () => void;
}

/**
 * Batches settlements of running jobs into few store writes.
 *
 * @example
 * ```ts ignore
 * const completer = new Completer({ store, running, lock, workerId, clock, logger });
 * await completer.settle(entry, (job) => releaseJob(job, { now: clock.now(), ttlMs }));
 * ```
 */
export class Completer {
  readonly #options: CompleterOptions;
  readonly #batchSize: number;
  #pending: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #stopped = new AbortController();

  constructor(options: CompleterOptions) {
    this.#options = options;
    this.#batchSize = options.batchSize ?? SETTLE_BATCH;
  }

  /**
   * Queues a job's settlement. Resolves to the record written, or null when the job is no
   * longer this worker's (its lease was lost); never rejects.
   */
  settle(entry: RunningJob, transition: Transition): Promise<Job | null> {
    entry.settling = true;
    return new Promise((resolve) => {
      this.#pending.push({ entry, transition, resolve });
      if (this.#flushing) return; // the running flush picks these up when it is done
      if (this.#pending.length >= this.#batchSize) this.#startFlush();
      else this.#timer ??= setTimeout(() => this.#startFlush(), 0);
    });
  }

  /** Writes every pending settlement; those a failing store refuses are dropped, logged. */
  async stop(): Promise<void> {
    this.#stopped.abort();
    this.#startFlush();
    while (this.#flushing) await this.#flushing;
  }

  #startFlush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#flushing || this.#pending.length === 0) return;
    const before = this.#options.before?.() ?? Promise.resolve();
    this.#flushing = before.then(() => this.#flushAll()).finally(() => {
      this.#flushing = undefined;
      // Settlements queued after the loop's last look (while it was finishing) go next.
      this.#startFlush();
    });
  }

  async #flushAll(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#batchSize);
      try {
        await this.#options.lock.run(() => this.#write(batch));
        this.#options.written?.();
      } catch (error) {
        this.#options.logger.error("completer:error", { error: String(error), jobs: batch.length });
        // Those settled before the error left `running`; the rest are still to write.
        const unwritten = batch.filter((item) => this.#options.running.has(item.entry.job.id));
        if (this.#stopped.signal.aborted) {
          for (const item of unwritten) this.#done(item, null);
        } else {
          this.#pending.unshift(...unwritten);
          await this.#options.clock.sleep(ERROR_PAUSE_MS, this.#stopped.signal);
        }
      }
    }
  }

  async #write(batch: Pending[]): Promise<void> {
    const { store, workerId } = this.#options;
    const writes: { item: Pending; update: JobUpdate }[] = [];
    for (const item of batch) {
      const before = item.entry.job;
      try {
        writes.push({ item, update: { before, after: item.transition(before) } });
      } catch (error) {
        // A transition refusing the record we hold is a bug; keep it from sinking the batch.
        this.#options.logger.error("completer:invalid", {
          job_id: before.id,
          error: String(error),
        });
        this.#done(item, null);
      }
    }
    const { conflicted } = await store.jobUpdateMany({ updates: writes.map((w) => w.update) });
    const refused = new Set(conflicted);
    const recheck: Pending[] = [];
    for (const { item, update } of writes) {
      if (refused.has(update.before.id)) recheck.push(item);
      else this.#done(item, update.after);
    }
    if (recheck.length === 0) return;
    // A conflict is usually a lost lease, but a cancel request also bumps the version of a
    // job that is still ours: settle those again from the fresh record.
    const fresh = await store.jobGetMany(recheck.map((item) => item.entry.job.id));
    recheck.forEach((item, i) => {
      const current = fresh[i];
      if (stillHeld(current, item.entry.job, workerId)) {
        item.entry.observe(current);
        this.#pending.push(item);
      } else this.#done(item, null);
    });
  }

  #done(item: Pending, written: Job | null): void {
    if (written) item.entry.job = written;
    this.#options.running.delete(item.entry.job.id);
    item.resolve(written);
  }
}
