/**
 * The time indexes every store keeps (scheduled run, lease expiry, record expiry, callback
 * due) and the record field each one is scored by. A store lists an index and then reads
 * the records, two steps another process can come between: a record it reads may have
 * moved on (a callback claimed, a job promoted) after the index said it was due. Stores
 * answer only records that are still due by their own fields, so two services listing the
 * same entry never both act on it with a version that is already past its due time.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions/mod.ts";
 * import { stillDue } from "./time_index.ts";
 * const job = { ...createJob({ id: "a", task: "t", input: 1 }, 0), callbackDueAt: 500 };
 * console.assert(stillDue([job], "callback", 100).length === 0);
 * console.assert(stillDue([job], "callback", 500).length === 1);
 * ```
 * @module
 */
import type { Job } from "../job.ts";

/** The indexes scored by a time: scheduled run, lease expiry, record expiry, callback due. */
export type TimeIndex = "sched" | "lease" | "exp" | "callback";

/**
 * The time `job` is indexed under in `index`, or undefined when the record does not belong
 * in that index at all.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions/mod.ts";
 * import { indexedTime } from "./time_index.ts";
 * console.assert(indexedTime(createJob({ id: "a", task: "t", input: 1 }, 0), "sched") === undefined);
 * ```
 */
export function indexedTime(job: Job, index: TimeIndex): number | undefined {
  switch (index) {
    case "sched":
      // A waiting job is due at its wait's timeout, kept in `runAt`.
      return job.state === "scheduled" || job.state === "waiting" ? job.runAt : undefined;
    case "lease":
      return job.state === "started" ? job.leaseExpiresAt ?? 0 : undefined;
    case "exp":
      return job.expiresAt;
    case "callback":
      return job.callbackDueAt;
  }
}

/**
 * The records among `jobs` (null for one deleted meanwhile) still due at `now` in `index`.
 *
 * @example
 * ```ts
 * import { stillDue } from "./time_index.ts";
 * console.assert(stillDue([null], "exp", 0).length === 0);
 * ```
 */
export function stillDue(jobs: (Job | null)[], index: TimeIndex, now: number): Job[] {
  return jobs.filter((job): job is Job => {
    const at = job && indexedTime(job, index);
    return at !== undefined && at !== null && at <= now;
  });
}
