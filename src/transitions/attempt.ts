/**
 * A worker's attempt at a job, move by move: claimed under a lease, kept alive and reported
 * on while it runs, then finished, failed (retried or not), given back, or put off.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { claimJob, finishJob } from "./attempt.ts";
 * const job = createJob({ id: "01J", task: "noop", queue: "default", input: {} }, 0);
 * const running = claimJob(job, { workerId: "w1", now: 1, leaseMs: 30_000 });
 * const done = finishJob(running, { now: 2, result: "ok", ttlMs: 86_400_000 });
 * console.assert(done.state === "finished");
 * ```
 * @module
 */
import type { Job, JobError, JobProgress } from "../job.ts";
import { canceledAt, move } from "./moves.ts";

/**
 * A worker takes a queued job: the attempt counts from here, under a lease.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { claimJob } from "./attempt.ts";
 * const job = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 10,
 *   leaseMs: 100,
 * });
 * console.assert(job.attempts === 1 && job.leaseExpiresAt === 110);
 * ```
 */
export function claimJob(
  job: Job,
  { workerId, now, leaseMs }: { workerId: string; now: number; leaseMs: number },
): Job {
  return move(job, "claim", {
    state: "started",
    attempts: job.attempts + 1,
    startedAt: now,
    workerId,
    leaseExpiresAt: now + leaseMs,
  });
}

/**
 * The running worker's heartbeat pushes the lease out.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { claimJob, extendLease } from "./attempt.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * console.assert(extendLease(running, { now: 5, leaseMs: 10 }).leaseExpiresAt === 15);
 * ```
 */
export function extendLease(job: Job, { now, leaseMs }: { now: number; leaseMs: number }): Job {
  return move(job, "extendLease", { leaseExpiresAt: now + leaseMs });
}

/**
 * The running handler reported progress (`ctx.progress()`); the state does not change.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { claimJob, reportProgress } from "./attempt.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * console.assert(reportProgress(running, { progress: 40 }).progress === 40);
 * ```
 */
export function reportProgress(job: Job, { progress }: { progress: JobProgress }): Job {
  return move(job, "reportProgress", { progress });
}

/**
 * The handler returned: the job is finished with its result, kept for `ttlMs`.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { claimJob, finishJob } from "./attempt.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * console.assert(finishJob(running, { now: 5, result: 2, ttlMs: 10 }).expiresAt === 15);
 * ```
 */
export function finishJob(
  job: Job,
  { now, result, ttlMs }: { now: number; result: unknown; ttlMs: number },
): Job {
  return move(job, "finish", {
    state: "finished",
    result,
    endedAt: now,
    leaseExpiresAt: undefined,
    expiresAt: now + ttlMs,
  });
}

/** How an attempt failed, and what the retry policy allows next. */
export interface AttemptFailure {
  now: number;
  error: Omit<JobError, "attempt" | "at">;
  /** The wait before the next attempt (from `retryDelay`). */
  retryDelayMs: number;
  /** How long a job that failed for good is kept. */
  ttlMs: number;
  /** Fail for good even with attempts left (`UnrecoverableError`, a result too large). */
  final?: boolean;
}

/**
 * An attempt failed: retry after the backoff while attempts remain, otherwise `failed`.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { claimJob, failAttempt } from "./attempt.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1, maxAttempts: 2 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * const after = failAttempt(running, {
 *   now: 5,
 *   error: { name: "Error", message: "boom" },
 *   retryDelayMs: 1_000,
 *   ttlMs: 1,
 * });
 * console.assert(after.state === "scheduled" && after.runAt === 1_005);
 * ```
 */
export function failAttempt(job: Job, failure: AttemptFailure): Job {
  const { now, ttlMs } = failure;
  const errors = [...job.errors, { ...failure.error, attempt: job.attempts, at: now }];
  if (job.cancelRequested && !failure.final) {
    // Cancel was asked for while this attempt ran: honour it rather than retry.
    return move(job, "fail", { ...canceledAt(now, job.cancelReason ?? "canceled", ttlMs), errors });
  }
  if (failure.final || job.attempts >= job.maxAttempts) {
    return move(job, "fail", {
      state: "failed",
      errors,
      endedAt: now,
      leaseExpiresAt: undefined,
      expiresAt: now + ttlMs,
    });
  }
  return move(job, "fail", {
    state: "scheduled",
    errors,
    runAt: now + failure.retryDelayMs,
    leaseExpiresAt: undefined,
  });
}

/**
 * The changes that end a started job whose cancel was asked for while it ran, instead of
 * giving it back (release, defer, suspend), or null when no cancel was asked for.
 *
 * @example
 * ```ts ignore
 * return move(job, "release", cancelAsked(job, now, ttlMs) ?? { state: "queued" });
 * ```
 */
export function cancelAsked(job: Job, now: number, ttlMs: number): Partial<Job> | null {
  return job.cancelRequested ? canceledAt(now, job.cancelReason ?? "canceled", ttlMs) : null;
}

/**
 * A worker gives a job back unfinished (shutdown): it is queued again and the attempt
 * does not count; a job whose cancel was asked for meanwhile ends canceled instead.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { claimJob, releaseJob } from "./attempt.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * const back = releaseJob(running, { now: 5, ttlMs: 1 });
 * console.assert(back.state === "queued" && back.attempts === 0);
 * ```
 */
export function releaseJob(job: Job, { now, ttlMs }: { now: number; ttlMs: number }): Job {
  return move(
    job,
    "release",
    cancelAsked(job, now, ttlMs) ?? {
      state: "queued",
      attempts: job.attempts - 1,
      runAt: now,
      leaseExpiresAt: undefined,
    },
  );
}

/**
 * The job is put back to `scheduled` until `runAt` without using an attempt: its handler
 * threw `RateLimitedError`, or its task is held (`pauseTask`). `deferrals` counts these; a
 * job whose cancel was asked for meanwhile ends canceled instead.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { claimJob, deferJob } from "./attempt.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1, maxAttempts: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * const later = deferJob(running, { now: 5, runAt: 1_005, ttlMs: 1 });
 * console.assert(later.state === "scheduled" && later.attempts === 0 && later.deferrals === 1);
 * ```
 */
export function deferJob(
  job: Job,
  { now, runAt, ttlMs }: { now: number; runAt: number; ttlMs: number },
): Job {
  return move(
    job,
    "defer",
    cancelAsked(job, now, ttlMs) ?? {
      state: runAt > now ? "scheduled" : "queued",
      attempts: job.attempts - 1,
      deferrals: (job.deferrals ?? 0) + 1,
      runAt: Math.max(runAt, now),
      leaseExpiresAt: undefined,
    },
  );
}
