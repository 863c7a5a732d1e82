/**
 * The lecture notes' midnight report fan-out: one job, run by the `midnight_reports`
 * schedule, that enqueues one `generate_report` job per user through the bulk path, as
 * one batch (`GET /batches/{id}`), with a `send_notification` summary enqueued once every
 * report has ended. The batch is keyed by the fan-out job's id, so a retried attempt
 * finds the batch its first attempt stored instead of enqueueing the reports again.
 *
 * @example
 * ```ts ignore
 * import { fanOutReports } from "./fan_out_reports.ts";
 * await fanOutReports.enqueue({ period: "daily" });
 * ```
 * @module
 */
import { z } from "zod";
import { enqueueBatch } from "../src/batches/enqueue_batch.ts";
import { defineTask } from "../src/registry/define_task.ts";
import { generateReport } from "./generate_report.ts";
import { sendNotification } from "./send_notification.ts";

/** How many users the simulated user table holds. */
const USERS = Number(Deno.env.get("TQ_REPORT_USERS") ?? 3);
/** Who gets the summary once every report has ended. */
const REPORTS_EMAIL = Deno.env.get("TQ_REPORTS_EMAIL") ?? "reports@example.com";

/** The ids of the users who get a report (simulated: 1…`TQ_REPORT_USERS`). */
function userIds(): number[] {
  return Array.from({ length: USERS }, (_, i) => i + 1);
}

/** Enqueues one report job per user as one batch; returns the batch and the job ids. */
export const fanOutReports = defineTask({
  name: "fan_out_reports",
  description: "Enqueue one generate_report job per user as one batch (the midnight fan-out).",
  queue: "reports",
  input: z.object({ period: z.enum(["daily", "weekly", "monthly"]).default("daily") }),
  async handler({ period }, ctx) {
    const users = userIds();
    const { batch, jobIds, rejected, created } = await enqueueBatch({
      requests: users.map((user_id) => ({ task: generateReport.name, input: { user_id, period } })),
      onComplete: {
        task: sendNotification.name,
        input: { email: REPORTS_EMAIL, message: `${users.length} ${period} reports have run` },
      },
      idempotencyKey: `fan_out_reports:${ctx.jobId}`,
    });
    const fields = { batch_id: batch?.id, count: jobIds.length, rejected: rejected.length };
    ctx.log(created ? "reports enqueued" : "reports were enqueued by an earlier attempt", fields);
    return { period, batch_id: batch?.id ?? null, job_ids: jobIds };
  },
});
