/**
 * One store watch shared by every stream that follows a job: however many streams are
 * open, a process reads the watched jobs with one `jobGetMany` per tick, each job at most
 * once, and a job that does not change is read less and less often (from every
 * {@linkcode JOB_WATCH_MIN_MS} up to every {@linkcode JOB_WATCH_MAX_MS}; a change brings it
 * back to the fastest). Reading the store, not listening in process, is what lets changes
 * made by worker processes reach the streams. Nothing is read while nothing is watched.
 *
 * @example
 * ```ts ignore
 * const watcher = new JobWatcher(store, systemClock);
 * const stop = watcher.watch(job.id, job.version, (changed) => console.log(changed?.state));
 * stop();
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Job } from "../job.ts";
import type { Store } from "../store/store.ts";

/** The fastest a watched job is read again: right after it changed. */
export const JOB_WATCH_MIN_MS = 100;
/** The slowest a watched job is read, after it has stayed the same for a while. */
export const JOB_WATCH_MAX_MS = 1_000;

/** Called with the job whenever its version changed, or with null once it is deleted. */
export type JobListener = (job: Job | null) => void;

interface Watched {
  version: number;
  listeners: Set<JobListener>;
  intervalMs: number;
  dueAt: number;
}

/** Shared, adaptive polling of the jobs streams follow. */
export class JobWatcher {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #watched = new Map<string, Watched>();
  #running = false;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** How many jobs are watched now (for tests and metrics). */
  get size(): number {
    return this.#watched.size;
  }

  /**
   * Calls `listener` on every change of job `id` after `version` (the version the caller
   * has seen); answers the function that stops watching.
   */
  watch(id: string, version: number, listener: JobListener): () => void {
    let entry = this.#watched.get(id);
    const dueAt = this.#clock.now() + JOB_WATCH_MIN_MS;
    if (!entry) {
      entry = { version, listeners: new Set(), intervalMs: JOB_WATCH_MIN_MS, dueAt };
      this.#watched.set(id, entry);
    } else if (entry.version !== version) {
      // The newcomer saw another version: report the next read to everyone (streams
      // drop what they sent already), and read it soon.
      entry.version = -1;
      entry.intervalMs = JOB_WATCH_MIN_MS;
      entry.dueAt = Math.min(entry.dueAt, dueAt);
    }
    entry.listeners.add(listener);
    if (!this.#running) void this.#run();
    const watched = entry;
    return () => {
      watched.listeners.delete(listener);
      if (watched.listeners.size === 0 && this.#watched.get(id) === watched) {
        this.#watched.delete(id);
      }
    };
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#watched.size > 0) {
        await this.#clock.sleep(JOB_WATCH_MIN_MS);
        const now = this.#clock.now();
        const due = [...this.#watched].filter(([, entry]) => entry.dueAt <= now);
        if (due.length === 0) continue;
        let jobs: (Job | null)[];
        try {
          jobs = await this.#store.jobGetMany(due.map(([id]) => id));
        } catch {
          continue; // The store is out of reach: look again next tick.
        }
        due.forEach(([id, entry], i) => this.#settle(id, entry, jobs[i], now));
      }
    } finally {
      this.#running = false;
    }
  }

  #settle(id: string, entry: Watched, job: Job | null, now: number): void {
    if (job && job.version === entry.version) {
      entry.intervalMs = Math.min(entry.intervalMs * 2, JOB_WATCH_MAX_MS);
    } else {
      entry.version = job?.version ?? -1;
      entry.intervalMs = JOB_WATCH_MIN_MS;
      if (!job && this.#watched.get(id) === entry) this.#watched.delete(id);
      for (const listener of [...entry.listeners]) listener(job);
    }
    entry.dueAt = now + entry.intervalMs;
  }
}
