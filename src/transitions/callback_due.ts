/**
 * A job with `callbackUrl` that reaches a terminal state gets `callbackDueAt` in the same
 * record, so the store writes the pending callback (and its index entry) in the same commit
 * as the terminal move; every move goes through this (see `moves.ts`).
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { withCallbackDue } from "./callback_due.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, callbackUrl: "http://x/cb" }, 0);
 * console.assert(withCallbackDue(job, { ...job, state: "failed", endedAt: 3 }).callbackDueAt === 3);
 * ```
 * @module
 */
import { isTerminal, type Job } from "../job.ts";

/**
 * `after` (a change of `before`) with its callback due when it has just ended, or with a
 * pending callback dropped when it leaves a terminal state (a manual retry). Jobs without
 * `callbackUrl` are never touched.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { withCallbackDue } from "./callback_due.ts";
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
