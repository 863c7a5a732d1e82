/**
 * The lecture notes' report generation: heavy queries, then a document, per user.
 *
 * @example
 * ```ts ignore
 * import { generateReport } from "./generate_report.ts";
 * await generateReport.enqueue({ user_id: 7, period: "daily" });
 * ```
 * @module
 */
import { z } from "zod";
import { abortableSleep } from "../src/abortable_sleep.ts";
import { defineTask } from "../src/registry/define_task.ts";

/** Simulated query and rendering time, in ms. */
const REPORT_MS = Number(Deno.env.get("TQ_REPORT_MS") ?? 2_000);

/** Builds one user's activity report (simulated) and returns where it was stored. */
export const generateReport = defineTask({
  name: "generate_report",
  description: "Generate one user's periodic activity report.",
  queue: "reports",
  priority: 10,
  input: z.object({
    user_id: z.int().positive(),
    period: z.enum(["daily", "weekly", "monthly"]).default("daily"),
  }),
  timeout: 120_000,
  async handler({ user_id, period }, ctx) {
    await abortableSleep(REPORT_MS, ctx.signal);
    const day = new Date().toISOString().slice(0, 10);
    return { user_id, period, url: `reports/${user_id}/${period}-${day}.pdf` };
  },
});
