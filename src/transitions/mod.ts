/**
 * Every change of a job's state, as pure functions from one record to the next. Stores
 * persist what these return; they never decide a transition themselves, so every backend
 * moves jobs the same way. Every function checks its move against the one table of allowed
 * moves, {@linkcode MOVES} (`moves.ts`).
 *
 * - `create.ts`: a new record; `attempt.ts`: a worker's attempt; `steps.ts`: durable steps;
 * - `schedule.ts`: waiting for a time; `operator.ts`: cancel and retry;
 * - `dependants.ts`: jobs waiting for parents or lanes; `callbacks.ts`: completion callbacks.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, finishJob } from "./mod.ts";
 * const job = createJob({ id: "01J", task: "noop", queue: "default", input: {} }, 0);
 * const running = claimJob(job, { workerId: "w1", now: 1, leaseMs: 30_000 });
 * const done = finishJob(running, { now: 2, result: "ok", ttlMs: 86_400_000 });
 * console.assert(done.state === "finished");
 * ```
 * @module
 */
export { type Action, checkMove, type Move, MOVES } from "./moves.ts";
export { createJob, JOB_DEFAULTS, type JobSpec } from "./create.ts";
export {
  type AttemptFailure,
  claimJob,
  deferJob,
  extendLease,
  failAttempt,
  finishJob,
  releaseJob,
  reportProgress,
} from "./attempt.ts";
export { type DeliveredEvent, recordStep, resumeJob, suspendJob } from "./steps.ts";
export { debounceJob, EXPIRED, expireJob, isExpired, promoteJob, runJobNow } from "./schedule.ts";
export { cancelJob, retryJob } from "./operator.ts";
export {
  isLost,
  parentSettled,
  settlesDependants,
  waitForParents,
  waitInLane,
} from "./dependants.ts";
export { withCallbackDue } from "./callback_due.ts";
export { callbackDelivered, callbackFailed, callbackRefused, claimCallback } from "./callbacks.ts";
