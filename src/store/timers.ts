/**
 * Which written records concern the timed services: the promoter waits for scheduled
 * jobs' `runAt` (and waiting jobs' timeouts), the callback sender for `callbackDueAt`. A store that offers
 * `Store.timerWait` wakes their waits when it writes such a record, so they can sleep
 * until the next time they know of instead of polling for times they don't.
 *
 * @example
 * ```ts
 * import { hasTimer } from "./timers.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, runAt: 5_000 }, 0);
 * console.assert(hasTimer(job));
 * ```
 * @module
 */
import type { Job } from "../job.ts";

/**
 * True when `job`, as written, holds a time a timed service waits for: it is scheduled
 * (or waiting for an event, until its timeout), or its completion callback is due.
 *
 * @example
 * ```ts
 * import { hasTimer } from "./timers.ts";
 * import { createJob } from "../transitions/mod.ts";
 * console.assert(!hasTimer(createJob({ id: "a", task: "t", input: 1 }, 0)));
 * ```
 */
export function hasTimer(job: Job): boolean {
  return job.state === "scheduled" || job.state === "waiting" || job.callbackDueAt !== undefined;
}
