/**
 * Runs one claimed job: parses its input with the task's schema, calls the handler with a
 * context whose signal aborts on timeout, cancel, lost lease or shutdown, and hands the
 * outcome to the completer. The handler is raced against its signal, so a handler that
 * ignores the abort still loses its slot and its attempt at the deadline.
 *
 * @example
 * ```ts ignore
 * const executor = new Executor({ store, registry, completer, running, workerId, clock,
 *   logger, resultTtlMs: 86_400_000, failureTtlMs: 604_800_000 });
 * for (const job of await store.jobClaim(params)) void executor.run(job);
 * ```
 * @module
 */
import { retryDelay } from "../backoff.ts";
import type { Clock } from "../clock.ts";
import {
  InvalidInputError,
  isRateLimited,
  JobStopped,
  MAX_RETRY_AFTER_MS,
  PayloadTooLargeError,
  type RateLimitedError,
  UnrecoverableError,
} from "../errors.ts";
import type { Job, JobStep } from "../job.ts";
import type { Logger } from "../log.ts";
import type { Isolation } from "../registry/define_task.ts";
import type { Sandboxes } from "../isolation/sandboxes.ts";
import type { Registry } from "../registry/registry.ts";
import type { Store } from "../store/store.ts";
import {
  cancelJob,
  deferJob,
  expireJob,
  failAttempt,
  finishJob,
  isExpired,
  releaseJob,
  suspendJob,
} from "../transitions/mod.ts";
import { TaskHolds } from "../guards/task_holds.ts";
import type { Completer, Transition } from "./completer.ts";
import { jobFields, logSettled } from "./job_log.ts";
import { JobSpan } from "./job_span.ts";
import type { LogLines } from "./log_lines.ts";
import { RunningJob, type RunningJobs } from "./running_job.ts";
import { Deadlines } from "./deadlines.ts";
import { parentResults } from "../flows/parents.ts";
import { checkProgress, type ProgressWriter } from "./progress.ts";
import { parseTaskInput, taskContext } from "./task_context.ts";
import { DurableSteps } from "../steps/durable_steps.ts";
import { catchUpEvent } from "../steps/events.ts";
import { StepWriter } from "./step_writer.ts";
import { WriteLock } from "./write_lock.ts";

/** What an {@linkcode Executor} needs. */
export interface ExecutorOptions {
  store: Store;
  registry: Registry;
  completer: Completer;
  running: RunningJobs;
  workerId: string;
  clock: Clock;
  logger: Logger;
  /** How long a finished job is kept. */
  resultTtlMs: number;
  /** How long a failed or canceled job is kept. */
  failureTtlMs: number;
  /** Keeps `ctx.log()` lines with their job (the dashboard shows them). */
  lines?: LogLines;
  /** Writes `ctx.progress()` reports; without it they are checked and dropped. */
  progress?: ProgressWriter;
  /** Where a task without its own `isolation` runs (`inline`). */
  isolation?: Isolation;
  /** Runs `thread` and `process` handlers; without it every handler runs inline. */
  sandboxes?: Sandboxes;
  /** The task holds of `pauseTask` (`src/guards/task_holds.ts`); one over `store` if absent. */
  holds?: TaskHolds;
  /** Writes durable steps; one with a lock of its own if absent. */
  steps?: StepWriter;
}

/** Longest error message and stack kept per attempt, so errors never outgrow the record. */
const MAX_MESSAGE = 2_000;
const MAX_STACK = 4_000;

/** A failed attempt's error, trimmed; the record keeps one per attempt. */
function describe(error: unknown): { name: string; message: string; stack?: string } {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  return {
    name: error.name,
    message: error.message.slice(0, MAX_MESSAGE),
    stack: error.stack?.slice(0, MAX_STACK),
  };
}

/**
 * Turns claimed jobs into settlements.
 *
 * @example
 * ```ts ignore
 * const executor = new Executor(options);
 * await executor.run(claimed); // the slot is free again; the outcome is being written
 * ```
 */
export class Executor {
  readonly #o: ExecutorOptions;
  /** Each running attempt's timeout, all on one timer. */
  readonly #deadlines: Deadlines<RunningJob>;
  readonly #holds: TaskHolds;
  readonly #steps: StepWriter;

  constructor(options: ExecutorOptions) {
    this.#o = options;
    this.#holds = options.holds ?? new TaskHolds(options.store, options.clock);
    const { store, workerId } = options;
    this.#steps = options.steps ?? new StepWriter({ store, lock: new WriteLock(), workerId });
    this.#deadlines = new Deadlines(options.clock, (entry) => {
      const { timeoutMs } = entry.job;
      entry.stop("timeout", new JobStopped("timeout", `timed out after ${timeoutMs} ms`));
    });
  }

  /** Lets go of the timeout timer; call it once no job runs (jobs run later arm it again). */
  stop(): void {
    this.#deadlines.stop();
  }

  /**
   * Runs a claimed job. Resolves once the handler is over (or abandoned) and its outcome
   * is queued for writing, which frees the slot; never rejects.
   */
  async run(job: Job): Promise<void> {
    const { clock, logger, running } = this.#o;
    const entry = new RunningJob(job, clock.now());
    running.set(job.id, entry);
    const found = this.#skip(job);
    const skip = found instanceof Promise ? await found : found;
    if (skip) {
      const written = await this.#o.completer.settle(entry, skip);
      return logSettled(logger, job, written, 0);
    }
    logger.info("job:started", jobFields(job));
    const span = new JobSpan(job);
    const transition = await span.run(() => this.#attempt(entry));
    const durationMs = clock.now() - entry.startedAt;
    if (!transition) {
      running.delete(job.id);
      span.end(null);
      return logSettled(logger, entry.job, null, durationMs);
    }
    const held = entry.job;
    void this.#o.completer.settle(entry, transition).then((written) => {
      span.end(written);
      logSettled(logger, held, written, durationMs);
      // An event sent before the job began to wait is kept for it: look for one now.
      if (written?.state === "waiting") void this.#catchUp(written);
    });
  }

  /**
   * The outcome of a claimed job that must not run: past its `startBy` (canceled as
   * expired), of a held task (put back until the hold ends), or claimed ahead and kept
   * waiting past its lease (put back, its attempt not counted). Null: run it. A promise
   * only when the view of the holds is due for a read: most jobs start without an await.
   */
  #skip(job: Job): Transition | null | Promise<Transition | null> {
    const { clock, failureTtlMs: ttlMs, logger } = this.#o;
    const now = clock.now();
    if (isExpired(job, now)) return (current) => expireJob(current, { now, ttlMs });
    // A job claimed ahead is not renewed until it runs: if a handler held the thread past
    // its lease, another worker may have rescued it and be running it. The release is
    // written only if the job is still ours, like every settlement.
    if (job.leaseExpiresAt !== undefined && job.leaseExpiresAt <= now) {
      logger.warn("job:lease_lapsed_before_start", jobFields(job));
      return (current) => releaseJob(current, { now, ttlMs });
    }
    const known = this.#holds.heldUntilKnown(job.task, now);
    return known === undefined ? this.#readHolds(job, now) : this.#deferUntil(known, now);
  }

  /** {@linkcode Executor.#skip} for a held task, once the holds are read. */
  async #readHolds(job: Job, now: number): Promise<Transition | null> {
    let until: number | null = null;
    try {
      until = await this.#holds.heldUntil(job.task, now);
    } catch (error) { // a store that cannot list holds must not stop jobs from running
      this.#o.logger.warn("task_hold:error", { task: job.task, error: String(error) });
    }
    return this.#deferUntil(until, now);
  }

  /** Back to scheduled until a hold ends; null when the task is not held. */
  #deferUntil(until: number | null, now: number): Transition | null {
    if (until === null) return null;
    const ttlMs = this.#o.failureTtlMs;
    return (current) => deferJob(current, { now, runAt: until, ttlMs });
  }

  /** Runs the handler and decides the outcome; null when the job is no longer ours. */
  async #attempt(entry: RunningJob): Promise<Transition | null> {
    this.#deadlines.add(entry, entry.job.timeoutMs);
    const steps = new DurableSteps({
      steps: entry.job.steps ?? [],
      attempt: entry.job.attempts,
      now: () => this.#o.clock.now(),
      record: (step) => this.#steps.record(entry, step),
    });
    try {
      const result = await entry.race(this.#handle(entry, steps));
      if (steps.suspension) return this.#suspend(steps.suspension);
      return this.#finish(entry, result);
    } catch (error) {
      switch (entry.cause) {
        case "lease_lost":
          return null;
        case "shutdown":
          return (job) =>
            releaseJob(job, { now: this.#o.clock.now(), ttlMs: this.#o.failureTtlMs });
        case "cancel":
          return this.#cancel();
        case "timeout": { // whatever the handler threw on the abort, the timeout is the cause
          const timedOut = new Error((entry.signal.reason as Error).message);
          timedOut.name = "TimeoutError";
          return this.#fail(entry, timedOut, false);
        }
        default: // retrying cannot help a handler that says so, nor input its schema refuses
          if (steps.suspension) return this.#suspend(steps.suspension);
          if (isRateLimited(error)) return await this.#defer(entry, error);
          return this.#fail(
            entry,
            error,
            error instanceof UnrecoverableError || error instanceof InvalidInputError,
          );
      }
    } finally {
      this.#deadlines.delete(entry);
      this.#o.lines?.end(entry.job);
    }
  }

  /** Parses the input again (the schema may have changed since enqueue) and calls the task. */
  #handle(entry: RunningJob, steps: DurableSteps): Promise<unknown> {
    const { job } = entry;
    const task = this.#o.registry.get(job.task);
    const input = parseTaskInput(task, job.input);
    const mode = task.isolation ?? this.#o.isolation ?? "inline";
    const sandboxes = this.#o.sandboxes;
    const running = parentResults(this.#o.store, job).then((parents) => {
      const ctx = taskContext({
        job,
        signal: entry.signal,
        parents,
        log: (message, fields) => {
          this.#o.logger.info("job:log", { job_id: job.id, task: job.task, message, ...fields });
          this.#o.lines?.add(job, message, fields);
        },
        progress: (value) => {
          if (this.#o.progress) this.#o.progress.report(entry, value);
          else checkProgress(value);
        },
        steps: steps.methods(),
      });
      return mode === "inline" || !sandboxes
        ? task.handler(input, ctx)
        : sandboxes.run(mode, task, job, ctx);
    });
    // An abandoned handler may still reject later; that must not crash the process.
    running.catch(() => {});
    return running;
  }

  #finish(entry: RunningJob, value: unknown): Transition {
    const { clock, store, resultTtlMs } = this.#o;
    let result: unknown;
    try {
      // Results are JSON (the API serves them so); this also refuses what cannot be stored.
      result = value === undefined ? null : JSON.parse(JSON.stringify(value));
    } catch (error) {
      return this.#fail(
        entry,
        new TypeError(`result is not JSON: ${describe(error).message}`),
        true,
      );
    }
    const now = clock.now();
    const held = entry.job;
    const finished = finishJob(held, { now, result, ttlMs: resultTtlMs });
    const bytes = store.jobBytes(finished);
    // The record measured is the one written unless a heartbeat or a re-read moved it since.
    const finish: Transition = (job) =>
      job === held ? finished : finishJob(job, { now, result, ttlMs: resultTtlMs });
    if (bytes <= store.maxJobBytes) return finish;
    return this.#fail(
      entry,
      new PayloadTooLargeError(bytes, store.maxJobBytes, "the job with its result"),
      true,
    );
  }

  #fail(entry: RunningJob, error: unknown, final: boolean): Transition {
    const { clock, store, workerId, failureTtlMs } = this.#o;
    const now = clock.now();
    const retryDelayMs = retryDelay(entry.job.backoff, entry.job.attempts);
    const failure = { now, retryDelayMs, ttlMs: failureTtlMs, final };
    const full = { ...describe(error), workerId };
    // A record near the size limit gets a short error rather than a write the store refuses.
    const short = { name: full.name, message: full.message.slice(0, 200), workerId };
    return (job) => {
      const after = failAttempt(job, { ...failure, error: full });
      return store.jobBytes(after) <= store.maxJobBytes
        ? after
        : failAttempt(job, { ...failure, error: short });
    };
  }

  /** The handler threw `RateLimitedError`: back to scheduled, the attempt given back. */
  async #defer(entry: RunningJob, error: RateLimitedError): Promise<Transition> {
    const { clock, failureTtlMs: ttlMs, logger } = this.#o;
    const now = clock.now();
    const runAt = now + Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS);
    if (error.pauseTask) {
      try {
        await this.#holds.hold(entry.job.task, runAt);
        logger.warn("task:held", { task: entry.job.task, until: runAt, job_id: entry.job.id });
      } catch (holdError) { // the job is still deferred; only its siblings are not held
        logger.error("task_hold:error", { task: entry.job.task, error: String(holdError) });
      }
    }
    return (job) => deferJob(job, { now, runAt, ttlMs });
  }

  /** The handler reached a sleep or a wait: it leaves the worker without using an attempt. */
  #suspend(step: JobStep): Transition {
    const now = this.#o.clock.now();
    return (job) => suspendJob(job, { now, step, ttlMs: this.#o.failureTtlMs });
  }

  async #catchUp(job: Job): Promise<void> {
    const { store, clock, logger } = this.#o;
    try {
      if (await catchUpEvent(store, clock, job)) logger.info("job:resumed", jobFields(job));
    } catch (error) { // the event, if any, is still kept: POST /events or the timeout ends it
      logger.warn("event:catch_up_error", { job_id: job.id, error: String(error) });
    }
  }

  #cancel(): Transition {
    const now = this.#o.clock.now();
    const ttlMs = this.#o.failureTtlMs;
    return (job) =>
      cancelJob(job, { now, reason: job.cancelReason ?? "canceled", ttlMs, byWorker: true });
  }
}
