/**
 * Moves of a job that waits for its time: a scheduled job whose time came (or that an
 * operator runs now) joins its queue; a debounced enqueue moves a waiting job's start; a
 * job that did not start by its `startBy` expires.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { promoteJob } from "./schedule.ts";
 * const later = createJob({ id: "a", task: "t", input: 1, runAt: 60_000 }, 0);
 * console.assert(promoteJob(later).state === "queued");
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import { move } from "./moves.ts";

/**
 * A scheduled job whose time has come joins its queue's ready jobs.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { promoteJob } from "./schedule.ts";
 * const later = createJob({ id: "a", task: "t", input: 1, runAt: 50 }, 0);
 * console.assert(promoteJob(later).runAt === 50);
 * ```
 */
export function promoteJob(job: Job): Job {
  return move(job, "promote", { state: "queued" });
}

/**
 * An operator's "run now": a scheduled job (delayed, waiting out a retry's backoff or a
 * deferral, or asleep in `ctx.sleep`) joins its queue's ready jobs at once, keeping its
 * attempts. Any other state is refused (`InvalidStateError` naming it).
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { runJobNow } from "./schedule.ts";
 * const later = createJob({ id: "a", task: "t", input: 1, runAt: 60_000 }, 0);
 * const now = runJobNow(later, { now: 10 });
 * console.assert(now.state === "queued" && now.runAt === 10);
 * ```
 */
export function runJobNow(job: Job, { now }: { now: number }): Job {
  // A job asleep in `ctx.sleep` wakes now too: its sleep ends here, so the replayed
  // handler passes it instead of going back to sleep until the original end.
  const steps = job.steps?.map((step) =>
    step.state === "sleeping" ? { ...step, until: Math.min(step.until ?? now, now) } : step
  );
  return move(job, "runNow", { state: "queued", runAt: now, ...(steps ? { steps } : {}) });
}

/**
 * A debounced enqueue at `now` joins a job that has not started yet: it takes the newest
 * `input` and starts at `runAt` (queued when that is not in the future).
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { debounceJob } from "./schedule.ts";
 * const waiting = createJob({ id: "a", task: "t", input: 1, runAt: 100 }, 0);
 * const moved = debounceJob(waiting, { now: 50, input: 2, runAt: 150 });
 * console.assert(moved.state === "scheduled" && moved.input === 2 && moved.runAt === 150);
 * ```
 */
export function debounceJob(
  job: Job,
  { now, input, runAt }: { now: number; input: unknown; runAt: number },
): Job {
  return move(job, "debounce", { input, runAt, state: runAt > now ? "scheduled" : "queued" });
}

/**
 * Whether a job not started yet is past its `startBy` at `now`.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { isExpired } from "./schedule.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, startBy: 100 }, 0);
 * console.assert(!isExpired(job, 100) && isExpired(job, 101));
 * ```
 */
export function isExpired(job: Job, now: number): boolean {
  return job.startBy !== undefined && now > job.startBy;
}

/** The `cancelReason` of a job that expired before it started. */
export const EXPIRED = "expired";

/**
 * A job that did not start by its `startBy` ends `canceled` with reason `expired` and never
 * runs. A worker that claimed it (state `started`, its handler not called) gives the attempt
 * back.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { expireJob } from "./schedule.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, startBy: 100 }, 0);
 * const gone = expireJob(job, { now: 200, ttlMs: 1_000 });
 * console.assert(gone.state === "canceled" && gone.cancelReason === "expired");
 * ```
 */
export function expireJob(job: Job, { now, ttlMs }: { now: number; ttlMs: number }): Job {
  return move(job, "expire", {
    state: "canceled",
    cancelReason: EXPIRED,
    attempts: job.state === "started" ? job.attempts - 1 : job.attempts,
    endedAt: now,
    leaseExpiresAt: undefined,
    expiresAt: now + ttlMs,
  });
}
