/**
 * What people do to a job: cancel it (a running one is only marked, its worker ends it),
 * or retry one that failed or was canceled.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { cancelJob, retryJob } from "./operator.ts";
 * const gone = cancelJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   now: 5,
 *   reason: "not needed",
 *   ttlMs: 10,
 * });
 * console.assert(retryJob(gone, { now: 9 }).state === "queued");
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import { canceledAt, move } from "./moves.ts";

/**
 * Cancel: a waiting job is canceled at once; a running one is marked so its worker aborts
 * it (`cancelRequested`), and that worker then calls this again (`byWorker`) to end it.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { cancelJob } from "./operator.ts";
 * const job = createJob({ id: "a", task: "t", input: 1 }, 0);
 * console.assert(cancelJob(job, { now: 5, reason: "x", ttlMs: 10 }).expiresAt === 15);
 * ```
 */
export function cancelJob(
  job: Job,
  { now, reason, ttlMs, byWorker = false }: {
    now: number;
    reason: string;
    ttlMs: number;
    byWorker?: boolean;
  },
): Job {
  if (job.state === "started" && !byWorker) {
    return move(job, "cancel", { cancelRequested: true, cancelReason: reason });
  }
  return move(job, "cancel", canceledAt(now, reason, ttlMs));
}

/**
 * A manual retry of a failed or canceled job: queued again with a fresh attempt budget and
 * without its expiry (an expired job retried by hand runs); the history of errors stays.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { cancelJob, retryJob } from "./operator.ts";
 * const gone = cancelJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   now: 5,
 *   reason: "x",
 *   ttlMs: 10,
 * });
 * console.assert(retryJob(gone, { now: 9 }).expiresAt === undefined);
 * ```
 */
export function retryJob(job: Job, { now }: { now: number }): Job {
  return move(job, "retry", {
    state: "queued",
    attempts: 0,
    runAt: now,
    startedAt: undefined,
    endedAt: undefined,
    workerId: undefined,
    expiresAt: undefined,
    cancelRequested: undefined,
    cancelReason: undefined,
    result: undefined,
    startBy: undefined,
  });
}
