/**
 * `tq schedules`: lists the schedules (next run, last run and its job, paused or not), or
 * pauses, resumes or triggers one.
 *
 * @example
 * ```ts ignore
 * await schedulesCommand(["pause", "midnight_reports"], { registry, schedules });
 * ```
 * @module
 */
import { jobJson } from "../job_json.ts";
import { findSchedule, scheduleStatuses } from "../scheduler/schedule_status.ts";
import { runSchedule } from "../scheduler/run_schedule.ts";
import { schedulePause } from "../scheduler/schedule_records.ts";
import { COMMON_HELP, parse, UsageError } from "./args.ts";
import { setup } from "./setup.ts";
import type { CliOptions } from "./cli_options.ts";
import { table } from "./table.ts";

/** Help of `tq schedules`. */
export const SCHEDULES_HELP = `Usage: tq schedules [list] [--json]
       tq schedules pause|resume|trigger NAME

Lists the schedules (those tq was started with, or the "schedules" export of --tasks)
with their next run (UTC), last run and its job, and whether they are paused; pause or
resume a schedule's ticks (in every process); or trigger one now (enqueues its job at once
and prints it).

Options:
  --json             print JSON
${COMMON_HELP}`;

/** Runs `tq schedules`. */
export async function schedulesCommand(args: string[], tasks: CliOptions): Promise<number> {
  const { values, positionals } = parse("schedules", args, { json: { type: "boolean" } });
  if (values.help) {
    console.log(SCHEDULES_HELP);
    return 0;
  }
  const [action = "list", name, ...extra] = positionals;
  if (!["list", "pause", "resume", "trigger"].includes(action)) {
    throw new UsageError(`schedules: unknown action "${action}" (see 'tq schedules --help')`);
  }
  if (action !== "list" && !name) throw new UsageError(`schedules ${action}: name the schedule`);
  const unexpected = action === "list" ? name : extra[0];
  if (unexpected) throw new UsageError(`schedules: unexpected argument "${unexpected}"`);
  const { connection } = await setup(values, tasks, { readOnly: action === "list" });
  const { store, producer, schedules } = connection;
  try {
    if (action === "trigger") {
      const { job } = await runSchedule({
        store,
        producer,
        schedule: findSchedule(schedules, name),
      });
      console.log(JSON.stringify(jobJson(job), null, 2));
      return 0;
    }
    if (action !== "list") {
      const schedule = findSchedule(schedules, name);
      await schedulePause(store, { name: schedule.name, paused: action === "pause" });
    }
    const chosen = action === "list" ? schedules : [findSchedule(schedules, name)];
    const statuses = await scheduleStatuses({ store, schedules: chosen, now: Date.now() });
    if (values.json) {
      console.log(
        JSON.stringify(action === "list" ? { schedules: statuses } : statuses[0], null, 2),
      );
      return 0;
    }
    console.log(table(
      ["NAME", "CRON", "NEXT RUN", "LAST RUN", "LAST JOB", "STATUS", "PAUSED"],
      statuses.map((s) => [
        s.name,
        s.timezone === "UTC" ? s.cron : `${s.cron} (${s.timezone})`,
        s.next_run_at ?? "-",
        s.last_run_at ?? "-",
        s.last_job_id ?? "-",
        s.last_job_status ?? "-",
        s.paused ? "yes" : "no",
      ]),
    ));
    return 0;
  } finally {
    await connection.close();
  }
}
