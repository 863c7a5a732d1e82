/**
 * What stores keep for recurring jobs: one record per schedule with its last tick, its
 * last run and whether it is paused. The tick check and the job's insert are one atomic
 * write, which is what makes a tick enqueue exactly one job however many `tq cron`
 * processes fire it (Deno.cron fires in every process).
 *
 * @example
 * ```ts
 * import type { ScheduleRecord } from "./schedules.ts";
 * const ranOnce = (record: ScheduleRecord) => record.lastJobId !== undefined;
 * ```
 * @module
 */
import type { Job } from "../job.ts";

/** A schedule as the store records it; a schedule never run has only name and `paused`. */
export interface ScheduleRecord {
  name: string;
  paused: boolean;
  /** The latest cron tick (epoch ms, a minute start) that enqueued a job. */
  lastTickAt?: number;
  /** When its latest job (tick or manual trigger) was enqueued. */
  lastRunAt?: number;
  lastJobId?: string;
}

/** What became of a run: `duplicate` when that tick or a later one already ran. */
export type ScheduleRunOutcome = "enqueued" | "duplicate" | "paused";

/** Parameters of `scheduleRun`. */
export interface ScheduleRunParams {
  name: string;
  /** The job to insert (from `Producer.prepare`). */
  job: Job;
  /**
   * The cron tick this run is for. With it, the run happens only if no tick at or after it
   * is recorded and the schedule is not paused; without it (a manual trigger) it always does.
   */
  tickAt?: number;
}
