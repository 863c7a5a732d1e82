/**
 * A job's completion callback as pure changes of its record, like `src/transitions.ts`.
 * A job with `callbackUrl` that reaches a terminal state gets `callbackDueAt` in the same
 * record, so the store writes the pending callback (and its index entry) in the same commit
 * as the terminal transition. A sender claims a due callback by moving `callbackDueAt` out
 * by a lease and counting the try, then settles it: delivered, due again after a backoff,
 * or given up. Jobs without `callbackUrl` are never touched.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, finishJob } from "../transitions.ts";
 * import { callbackDelivered, claimCallback } from "./callback_state.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, callbackUrl: "http://x/cb" }, 0);
 * const running = claimJob(job, { workerId: "w", now: 0, leaseMs: 10 });
 * const done = finishJob(running, { now: 5, result: 1, ttlMs: 100 });
 * console.assert(done.callbackDueAt === 5);
 * const sending = claimCallback(done, { now: 6, leaseMs: 30_000 });
 * console.assert(callbackDelivered(sending).callbackOutcome === "delivered");
 * ```
 * @module
 */
import { isTerminal, type Job } from "../job.ts";

/** The record one version on, with `changes`; a field set to `undefined` is removed. */
function next(job: Job, changes: Partial<Job>): Job {
  const changed: Job = { ...job, ...changes, version: job.version + 1 };
  for (const key of Object.keys(changes) as (keyof Job)[]) {
    if (changed[key] === undefined) delete changed[key];
  }
  return changed;
}

/**
 * `after` (a change of `before`) with its callback due when it has just ended, or with a
 * pending callback dropped when it leaves a terminal state (a manual retry).
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions.ts";
 * import { withCallbackDue } from "./callback_state.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, callbackUrl: "http://x/cb" }, 0);
 * const ended = withCallbackDue(job, { ...job, state: "canceled", endedAt: 7 });
 * console.assert(ended.callbackDueAt === 7);
 * ```
 */
export function withCallbackDue(before: Job, after: Job): Job {
  if (after.callbackUrl === undefined) return after;
  const wasOver = isTerminal(before.state);
  const isOver = isTerminal(after.state);
  if (isOver && !wasOver) {
    const { callbackTries: _t, callbackOutcome: _o, callbackRefusal: _r, ...rest } = after;
    return { ...rest, callbackDueAt: after.endedAt ?? after.runAt };
  }
  if (wasOver && !isOver) {
    const {
      callbackDueAt: _d,
      callbackTries: _t,
      callbackOutcome: _o,
      callbackRefusal: _r,
      ...rest
    } = after;
    return rest;
  }
  return after;
}

/**
 * A sender takes a due callback: it is due again only after `leaseMs` (a sender that dies
 * mid-send leaves it to another), and the try is counted.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions.ts";
 * import { claimCallback } from "./callback_state.ts";
 * const job = { ...createJob({ id: "a", task: "t", input: 1 }, 0), callbackDueAt: 0 };
 * console.assert(claimCallback(job, { now: 1, leaseMs: 10 }).callbackDueAt === 11);
 * ```
 */
export function claimCallback(job: Job, { now, leaseMs }: { now: number; leaseMs: number }): Job {
  if (job.callbackDueAt === undefined) throw new TypeError(`job ${job.id} has no callback due`);
  return next(job, { callbackDueAt: now + leaseMs, callbackTries: (job.callbackTries ?? 0) + 1 });
}

/**
 * The receiver accepted the callback: nothing is pending any more.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions.ts";
 * import { callbackDelivered } from "./callback_state.ts";
 * const job = { ...createJob({ id: "a", task: "t", input: 1 }, 0), callbackDueAt: 9 };
 * console.assert(callbackDelivered(job).callbackDueAt === undefined);
 * ```
 */
export function callbackDelivered(job: Job): Job {
  return next(job, { callbackDueAt: undefined, callbackOutcome: "delivered" });
}

/**
 * A try failed: due again after `retryDelayMs`, or given up once `maxTries` were made.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions.ts";
 * import { callbackFailed } from "./callback_state.ts";
 * const job = { ...createJob({ id: "a", task: "t", input: 1 }, 0), callbackTries: 3 };
 * const last = callbackFailed(job, { now: 5, retryDelayMs: 100, maxTries: 3 });
 * console.assert(last.callbackOutcome === "gave_up" && last.callbackDueAt === undefined);
 * ```
 */
export function callbackFailed(
  job: Job,
  { now, retryDelayMs, maxTries }: { now: number; retryDelayMs: number; maxTries: number },
): Job {
  if ((job.callbackTries ?? 0) >= maxTries) {
    return next(job, { callbackDueAt: undefined, callbackOutcome: "gave_up" });
  }
  return next(job, { callbackDueAt: now + retryDelayMs });
}

/**
 * The egress policy refused the callback's destination: never sent, never tried again.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions.ts";
 * import { callbackRefused } from "./callback_state.ts";
 * const job = { ...createJob({ id: "a", task: "t", input: 1 }, 0), callbackDueAt: 9 };
 * console.assert(callbackRefused(job, "loopback").callbackOutcome === "refused");
 * ```
 */
export function callbackRefused(job: Job, reason: string): Job {
  return next(job, {
    callbackDueAt: undefined,
    callbackOutcome: "refused",
    callbackRefusal: reason,
  });
}
