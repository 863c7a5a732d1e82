/**
 * A drain's rate once every worker process runs, read from the finished jobs' records:
 * from the moment the last worker to start took its first job to the last finish. A drain
 * of a few seconds timed from its first finish would count the later processes' start-up
 * (about a second of CPU each, on the same two cores) against the workers already running,
 * and more workers would look slower than they are.
 *
 * @example
 * ```ts
 * import { allWorkersRate } from "./drain_window.ts";
 * const { rate, workers } = allWorkersRate([
 *   { workerId: "a", startedAt: 0, endedAt: 10 },
 *   { workerId: "b", startedAt: 500, endedAt: 510 },
 *   { workerId: "a", startedAt: 900, endedAt: 1_500 },
 * ]);
 * // Two jobs end in the 1,000 ms from b's first start to the last end.
 * console.assert(rate === 2 && workers === 2);
 * ```
 * @module
 */
import type { Job } from "../src/job.ts";

/** What the window needs of a finished job. */
export type JobTimes = Pick<Job, "workerId" | "startedAt" | "endedAt">;

/**
 * Jobs/s ended from the last worker's first start to the last end, and how many workers
 * ran jobs at all (fewer than were started: the drain ended before one of them began).
 */
export function allWorkersRate(jobs: JobTimes[]): { rate: number; workers: number } {
  const firstStart = new Map<string | undefined, number>();
  for (const { workerId, startedAt = Infinity } of jobs) {
    firstStart.set(workerId, Math.min(firstStart.get(workerId) ?? Infinity, startedAt));
  }
  const from = Math.max(...firstStart.values());
  let ended = 0;
  let last = from;
  for (const { endedAt = -Infinity } of jobs) {
    if (endedAt <= from) continue;
    ended++;
    last = Math.max(last, endedAt);
  }
  return { rate: ended / (last - from) * 1000, workers: firstStart.size };
}
