/**
 * The lecture notes' midnight report fan-out: one job, run by the `midnight_reports`
 * schedule, that enqueues one `generate_report` job per user.
 *
 * @example
 * ```ts ignore
 * import { fanOutReports } from "./fan_out_reports.ts";
 * await fanOutReports.enqueue({ period: "daily" });
 * ```
 * @module
 */
import { z } from "zod";
import { defineTask } from "../src/registry/define_task.ts";
import { generateReport } from "./generate_report.ts";

/** How many users the simulated user table holds. */
const USERS = Number(Deno.env.get("TQ_REPORT_USERS") ?? 3);

/** The ids of the users who get a report (simulated: 1…`TQ_REPORT_USERS`). */
function userIds(): number[] {
  return Array.from({ length: USERS }, (_, i) => i + 1);
}

/** Enqueues one report job per user; returns their ids. */
export const fanOutReports = defineTask({
  name: "fan_out_reports",
  description: "Enqueue one generate_report job per user (the midnight fan-out).",
  queue: "reports",
  input: z.object({ period: z.enum(["daily", "weekly", "monthly"]).default("daily") }),
  async handler({ period }, ctx) {
    const jobIds = [];
    for (const user_id of userIds()) {
      jobIds.push((await generateReport.enqueue({ user_id, period })).id);
    }
    ctx.log("reports enqueued", { count: jobIds.length });
    return { period, job_ids: jobIds };
  },
});
