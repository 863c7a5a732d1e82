/**
 * What a worker knows of one job it is running: the latest record it wrote or read (the
 * `before` of its next change), the controller behind the handler's `ctx.signal`, and why
 * that signal was aborted. The executor, heartbeat and completer share these by job id.
 *
 * @example
 * ```ts
 * import { RunningJob } from "./running_job.ts";
 * import { JobStopped } from "../errors.ts";
 * import { claimJob, createJob } from "../transitions/mod.ts";
 * const job = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 30_000,
 * });
 * const running = new RunningJob(job, 0);
 * running.stop("cancel", new JobStopped("canceled", "canceled"));
 * console.assert(running.signal.aborted && running.cause === "cancel");
 * ```
 * @module
 */
import type { Job } from "../job.ts";

/** Why a running job's signal was aborted (none of them is the handler's own failure). */
export type StopCause = "timeout" | "cancel" | "lease_lost" | "shutdown";

/**
 * One job in this worker's hands, from claim until its settlement is written.
 *
 * @example
 * ```ts ignore
 * const entry = new RunningJob(claimed, clock.now());
 * running.set(claimed.id, entry);
 * handler(input, { jobId: claimed.id, attempt: claimed.attempts, signal: entry.signal, log });
 * ```
 */
export class RunningJob {
  /** The latest stored record this worker holds: heartbeats and re-reads move it forward. */
  job: Job;
  /** When the attempt began, by the worker's clock (for `duration_ms`). */
  readonly startedAt: number;
  /** Set once the outcome is decided and handed to the completer; later stops are ignored. */
  settling = false;
  #cause: StopCause | undefined;
  readonly #controller = new AbortController();
  /** Rejects the promise of {@linkcode RunningJob.race}, if one is on. */
  #abandon: ((reason: unknown) => void) | undefined;

  constructor(job: Job, startedAt: number) {
    this.job = job;
    this.startedAt = startedAt;
  }

  /** The handler's `ctx.signal`. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The first reason the signal was aborted for, if it was. */
  get cause(): StopCause | undefined {
    return this.#cause;
  }

  /** Aborts the handler's signal; only the first call counts, and none once settling. */
  stop(cause: StopCause, reason: Error): void {
    if (this.#cause || this.settling) return;
    this.#cause = cause;
    this.#controller.abort(reason);
    this.#abandon?.(reason);
  }

  /**
   * Settles as `work` does, or rejects with the stop's reason once the job is stopped,
   * whichever comes first: a handler that ignores its signal still loses its slot. One
   * promise and no listener on the signal (`Promise.race` with an abort listener per job
   * was a tenth of a worker's garbage per no-op job).
   */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.#cause) return Promise.reject(this.signal.reason);
    return new Promise<T>((resolve, reject) => {
      this.#abandon = reject;
      work.then(resolve, reject);
    });
  }

  /** Takes a fresher read of the record, ignoring reads older than what it holds. */
  observe(job: Job): void {
    if (job.version > this.job.version) this.job = job;
  }
}

/** The jobs a worker holds, by id. */
export type RunningJobs = Map<string, RunningJob>;

/**
 * Whether `current`, read after a conditional write of `held` conflicted, is still the same
 * attempt in this worker's hands, only changed meanwhile (a cancel request bumps the version).
 *
 * @example
 * ```ts
 * import { stillHeld } from "./running_job.ts";
 * import { claimJob, createJob } from "../transitions/mod.ts";
 * const held = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * console.assert(stillHeld({ ...held, version: 3 }, held, "w") && !stillHeld(null, held, "w"));
 * ```
 */
export function stillHeld(current: Job | null, held: Job, workerId: string): current is Job {
  return current?.state === "started" && current.workerId === workerId &&
    current.attempts === held.attempts && current.version > held.version;
}
