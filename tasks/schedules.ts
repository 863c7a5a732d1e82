/**
 * The application's recurring jobs, run by `tq cron` and `tq start` (see
 * `src/scheduler/schedule.ts`). Expressions have their standard crontab meaning, in UTC
 * unless a schedule names a `timezone`.
 *
 * @example
 * ```ts
 * import { schedules } from "./schedules.ts";
 * console.assert(schedules.some((s) => s.name === "midnight_reports"));
 * ```
 * @module
 */
import { defineSchedule, type ScheduleDefinition } from "../src/scheduler/schedule.ts";

/** Every schedule of this application. */
export const schedules: ScheduleDefinition[] = [
  defineSchedule({
    name: "midnight_reports",
    description: "Every midnight (UTC), one report job per user.",
    // TQ_MIDNIGHT_REPORTS_CRON lets a demo or a test run it every minute.
    cron: Deno.env.get("TQ_MIDNIGHT_REPORTS_CRON") ?? "0 0 * * *",
    // And TQ_MIDNIGHT_REPORTS_TZ read it in local time somewhere (an IANA zone name).
    timezone: Deno.env.get("TQ_MIDNIGHT_REPORTS_TZ"),
    task: "fan_out_reports",
    input: { period: "daily" },
    catchUp: "last",
  }),
];
