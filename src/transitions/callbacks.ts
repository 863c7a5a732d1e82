/**
 * A completion callback's life in its ended job's record (its due time comes with the
 * terminal move, see `callback_due.ts`): a sender claims a due callback by moving
 * `callbackDueAt` out by a lease and counting the try, then settles it: delivered, due
 * again after a backoff, or given up. The job's state never changes.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, finishJob } from "./mod.ts";
 * import { callbackDelivered, claimCallback } from "./callbacks.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, callbackUrl: "http://x/cb" }, 0);
 * const running = claimJob(job, { workerId: "w", now: 0, leaseMs: 10 });
 * const done = finishJob(running, { now: 5, result: 1, ttlMs: 100 });
 * console.assert(done.callbackDueAt === 5);
 * const sending = claimCallback(done, { now: 6, leaseMs: 30_000 });
 * console.assert(callbackDelivered(sending).callbackOutcome === "delivered");
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import { move } from "./moves.ts";

/**
 * A sender takes a due callback: it is due again only after `leaseMs` (a sender that dies
 * mid-send leaves it to another), and the try is counted.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { claimCallback } from "./callbacks.ts";
 * const job = { ...createJob({ id: "a", task: "t", input: 1 }, 0), state: "failed" as const, callbackDueAt: 0 };
 * console.assert(claimCallback(job, { now: 1, leaseMs: 10 }).callbackDueAt === 11);
 * ```
 */
export function claimCallback(job: Job, { now, leaseMs }: { now: number; leaseMs: number }): Job {
  if (job.callbackDueAt === undefined) throw new TypeError(`job ${job.id} has no callback due`);
  return move(job, "claimCallback", {
    callbackDueAt: now + leaseMs,
    callbackTries: (job.callbackTries ?? 0) + 1,
  });
}

/**
 * The receiver accepted the callback: nothing is pending any more.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { callbackDelivered } from "./callbacks.ts";
 * const job = { ...createJob({ id: "a", task: "t", input: 1 }, 0), state: "finished" as const, callbackDueAt: 9 };
 * console.assert(callbackDelivered(job).callbackDueAt === undefined);
 * ```
 */
export function callbackDelivered(job: Job): Job {
  return move(job, "settleCallback", { callbackDueAt: undefined, callbackOutcome: "delivered" });
}

/**
 * A try failed: due again after `retryDelayMs`, or given up once `maxTries` were made.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { callbackFailed } from "./callbacks.ts";
 * const job = { ...createJob({ id: "a", task: "t", input: 1 }, 0), state: "failed" as const, callbackTries: 3 };
 * const last = callbackFailed(job, { now: 5, retryDelayMs: 100, maxTries: 3 });
 * console.assert(last.callbackOutcome === "gave_up" && last.callbackDueAt === undefined);
 * ```
 */
export function callbackFailed(
  job: Job,
  { now, retryDelayMs, maxTries }: { now: number; retryDelayMs: number; maxTries: number },
): Job {
  if ((job.callbackTries ?? 0) >= maxTries) {
    return move(job, "settleCallback", { callbackDueAt: undefined, callbackOutcome: "gave_up" });
  }
  return move(job, "settleCallback", { callbackDueAt: now + retryDelayMs });
}

/**
 * The egress policy refused the callback's destination: never sent, never tried again.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { callbackRefused } from "./callbacks.ts";
 * const job = { ...createJob({ id: "a", task: "t", input: 1 }, 0), state: "canceled" as const, callbackDueAt: 9 };
 * console.assert(callbackRefused(job, "loopback").callbackOutcome === "refused");
 * ```
 */
export function callbackRefused(job: Job, reason: string): Job {
  return move(job, "settleCallback", {
    callbackDueAt: undefined,
    callbackOutcome: "refused",
    callbackRefusal: reason,
  });
}
