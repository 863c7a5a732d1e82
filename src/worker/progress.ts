/**
 * `ctx.progress()`: a handler reports how far it got, and the worker stores it on the job.
 * Reports are throttled: the latest value of each running job waits for the next write,
 * and writes go out at most every {@linkcode PROGRESS_INTERVAL_MS}, all jobs of the worker
 * in one `jobUpdateMany`. They take turns with the heartbeat and the completer under the
 * worker's `WriteLock`, so a progress write never turns into a false "lease lost".
 *
 * @example
 * ```ts ignore
 * const progress = new ProgressWriter({ store, running, lock, clock, logger });
 * progress.report(entry, 40); // returns at once; written within 250 ms
 * await progress.stop();
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import type { JobProgress } from "../job.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import { reportProgress } from "../transitions/mod.ts";
import type { RunningJob, RunningJobs } from "./running_job.ts";
import type { WriteLock } from "./write_lock.ts";

/** At most one progress write per this many ms, per worker. */
export const PROGRESS_INTERVAL_MS = 250;
/** Largest progress object, as JSON. */
export const MAX_PROGRESS_BYTES = 1_024;

/**
 * The value to store for a report, or a `RangeError`/`TypeError` saying what is wrong.
 *
 * @example
 * ```ts
 * import { checkProgress } from "./progress.ts";
 * console.assert(checkProgress(42.5) === 42.5);
 * console.assert((checkProgress({ done: 3, of: 10 }) as { of: number }).of === 10);
 * ```
 */
export function checkProgress(value: unknown): JobProgress {
  if (typeof value === "number") {
    if (!(value >= 0 && value <= 100)) {
      throw new RangeError(`progress must be a number from 0 to 100; got ${value}`);
    }
    return value;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("progress must be a number from 0 to 100 or a plain JSON object");
  }
  const json = JSON.stringify(value);
  if (new TextEncoder().encode(json).length > MAX_PROGRESS_BYTES) {
    throw new RangeError(`progress objects are limited to ${MAX_PROGRESS_BYTES} bytes of JSON`);
  }
  return JSON.parse(json);
}

/** What a {@linkcode ProgressWriter} needs. */
export interface ProgressWriterOptions {
  store: Store;
  running: RunningJobs;
  /** Shared with the heartbeat and the completer: see `write_lock.ts`. */
  lock: WriteLock;
  clock: Clock;
  logger: Logger;
}

/**
 * Keeps the latest report of each running job and writes them, throttled.
 *
 * @example
 * ```ts ignore
 * ctx.progress = (value) => progress.report(entry, value);
 * ```
 */
export class ProgressWriter {
  readonly #o: ProgressWriterOptions;
  readonly #pending = new Map<string, { entry: RunningJob; value: JobProgress }>();
  readonly #stopped = new AbortController();
  #lastWrite = -Infinity;
  #scheduled: Promise<void> | undefined;

  constructor(options: ProgressWriterOptions) {
    this.#o = options;
  }

  /** Takes a report (checked at once: a bad value throws in the handler) to write soon. */
  report(entry: RunningJob, value: unknown): void {
    const checked = checkProgress(value);
    if (this.#stopped.signal.aborted || entry.settling) return;
    this.#pending.set(entry.job.id, { entry, value: checked });
    this.#scheduled ??= this.#writeSoon();
  }

  /** Stops writing; reports not yet written are dropped (their jobs are settling). */
  async stop(): Promise<void> {
    this.#stopped.abort();
    await this.#scheduled;
  }

  async #writeSoon(): Promise<void> {
    const { clock, lock, logger } = this.#o;
    const wait = Math.max(0, this.#lastWrite + PROGRESS_INTERVAL_MS - clock.now());
    if (wait > 0) await clock.sleep(wait, this.#stopped.signal);
    if (!this.#stopped.signal.aborted) {
      this.#lastWrite = clock.now();
      try {
        await lock.run(() => this.#write());
      } catch (error) {
        logger.warn("progress:error", { error: String(error) });
      }
    }
    this.#scheduled = undefined;
    if (this.#pending.size > 0 && !this.#stopped.signal.aborted) {
      this.#scheduled = this.#writeSoon();
    }
  }

  async #write(): Promise<void> {
    const reports = [...this.#pending.values()].filter(({ entry }) =>
      !entry.settling && this.#o.running.get(entry.job.id) === entry
    );
    this.#pending.clear();
    if (reports.length === 0) return;
    const updates = reports.map(({ entry, value }) => ({
      before: entry.job,
      after: reportProgress(entry.job, { progress: value }),
    }));
    const { applied } = await this.#o.store.jobUpdateMany({ updates });
    const written = new Set(applied);
    // A conflict is a cancel or a lost lease: the heartbeat's next check tells which.
    updates.forEach(({ after }, i) => written.has(after.id) && reports[i].entry.observe(after));
  }
}
