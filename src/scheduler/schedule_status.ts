/**
 * What `GET /schedules` and `tq schedules` show: each schedule's expression, next run,
 * last run with its job, and whether it is paused; plus the lookup by name both use.
 *
 * @example
 * ```ts ignore
 * for (const s of await scheduleStatuses({ store, schedules, now: Date.now() })) {
 *   console.log(s.name, s.next_run_at, s.paused);
 * }
 * ```
 * @module
 */
import { TqError } from "../errors.ts";
import type { JobState } from "../job.ts";
import type { Store } from "../store/store.ts";
import type { CatchUp, Schedule } from "./schedule.ts";
import { nextFire } from "./zoned_cron.ts";
import { scheduleGetMany } from "./schedule_records.ts";

/** One schedule as the API shows it (snake_case, ISO-8601 times, null when unset). */
export interface ScheduleStatus {
  name: string;
  cron: string;
  /** The IANA zone `cron` is read in (`"UTC"` by default). */
  timezone: string;
  task: string;
  catch_up: CatchUp;
  paused: boolean;
  /** The UTC instant of the next local-time match, daylight-saving rules applied. */
  next_run_at: string | null;
  last_run_at: string | null;
  last_tick_at: string | null;
  last_job_id: string | null;
  /** The last job's state, or null once it was deleted (or never existed). */
  last_job_status: JobState | null;
  description: string | null;
}

const iso = (ms: number | null | undefined) => ms == null ? null : new Date(ms).toISOString();

/**
 * The status of every schedule, in declaration order.
 *
 * @example
 * ```ts ignore
 * const statuses = await scheduleStatuses({ store, schedules, now: clock.now() });
 * ```
 */
export async function scheduleStatuses(
  { store, schedules, now }: { store: Store; schedules: Schedule[]; now: number },
): Promise<ScheduleStatus[]> {
  const records = await scheduleGetMany(store, { names: schedules.map((s) => s.name) });
  const jobIds = records.flatMap((r) => r.lastJobId ? [r.lastJobId] : []);
  const jobs = new Map((await store.jobGetMany(jobIds)).flatMap((j) => j ? [[j.id, j]] : []));
  return schedules.map((schedule, i) => {
    const record = records[i];
    return {
      name: schedule.name,
      cron: schedule.cron,
      timezone: schedule.timezone,
      task: schedule.task,
      catch_up: schedule.catchUp,
      paused: record.paused,
      next_run_at: record.paused
        ? null
        : iso(nextFire(schedule.expression, schedule.timezone, now)),
      last_run_at: iso(record.lastRunAt),
      last_tick_at: iso(record.lastTickAt),
      last_job_id: record.lastJobId ?? null,
      last_job_status: jobs.get(record.lastJobId ?? "")?.state ?? null,
      description: schedule.description ?? null,
    };
  });
}

/**
 * The schedule of that name, or a `TqError` with code `schedule_not_found`.
 *
 * @example
 * ```ts
 * import { findSchedule } from "./schedule_status.ts";
 * try {
 *   findSchedule([], "nightly");
 * } catch (error) {
 *   console.assert((error as Error).message === 'no schedule named "nightly"');
 * }
 * ```
 */
export function findSchedule(schedules: Schedule[], name: string): Schedule {
  const schedule = schedules.find((s) => s.name === name);
  if (!schedule) {
    throw new TqError("schedule_not_found", `no schedule named "${name}"`, { schedule: name });
  }
  return schedule;
}
