/**
 * Writes a running job's durable steps (`src/steps/durable_steps.ts`) into its record, one
 * conditional update each, before the handler goes on. The writes take turns with the
 * heartbeat, progress and settlements under the worker's `WriteLock`; a write refused
 * because the record moved (a cancel request) is made again from the fresh record, and one
 * refused because the job is no longer this worker's aborts the handler as a lost lease.
 *
 * @example
 * ```ts ignore
 * const writer = new StepWriter({ store, lock, workerId });
 * await writer.record(entry, { name: "export", kind: "run", state: "finished", attempt: 1,
 *   startedAt: 0, finishedAt: 5, result: 42 });
 * ```
 * @module
 */
import { JobStopped, StepError } from "../errors.ts";
import type { JobStep } from "../job.ts";
import type { Store } from "../store/store.ts";
import { recordStep } from "../transitions/mod.ts";
import { type RunningJob, stillHeld } from "./running_job.ts";
import type { WriteLock } from "./write_lock.ts";

/** What a {@linkcode StepWriter} needs. */
export interface StepWriterOptions {
  store: Store;
  /** Shared with the heartbeat and the completer: see `write_lock.ts`. */
  lock: WriteLock;
  workerId: string;
}

/**
 * Stores steps of the worker's running jobs.
 *
 * @example
 * ```ts ignore
 * const steps = new DurableSteps({ steps: job.steps ?? [], attempt: job.attempts,
 *   now: () => clock.now(), record: (step) => writer.record(entry, step) });
 * ```
 */
export class StepWriter {
  readonly #o: StepWriterOptions;

  constructor(options: StepWriterOptions) {
    this.#o = options;
  }

  /**
   * Writes `step` into the record `entry` holds. Throws a `StepError` when the record
   * would grow past the store's limit, and the signal's reason once the job is not ours.
   */
  record(entry: RunningJob, step: JobStep): Promise<void> {
    const { store, lock, workerId } = this.#o;
    return lock.run(async () => {
      while (true) {
        if (entry.signal.aborted) throw entry.signal.reason;
        const before = entry.job;
        const after = recordStep(before, { step });
        const bytes = store.jobBytes(after);
        if (bytes > store.maxJobBytes) {
          throw new StepError(
            step.name,
            `the result of step "${step.name}" makes the job ${bytes} bytes; the limit is ` +
              `${store.maxJobBytes}. Store large data elsewhere and return a reference`,
          );
        }
        const { applied } = await store.jobUpdateMany({ updates: [{ before, after }] });
        if (applied.length > 0) return entry.observe(after);
        const current = await store.jobGet(before.id);
        if (!stillHeld(current, before, workerId)) {
          entry.stop("lease_lost", new JobStopped("lease_lost", "the job is no longer ours"));
          throw entry.signal.reason;
        }
        entry.observe(current);
      }
    });
  }
}
