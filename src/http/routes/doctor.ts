/**
 * `GET /doctor`: what `tq doctor` reports (`src/maintenance/doctor/`), as JSON: jobs that
 * can never make progress, index entries without records, records missing from their
 * indexes, batches whose counts disagree. It only reads; repairs are `tq doctor --repair`.
 * Every record is read, so it is for operators, not for polling.
 *
 * @example
 * ```ts ignore
 * doctorRoutes(app, deps);
 * const report = await (await app.request("/doctor")).json(); // { clean, findings, ... }
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { runDoctor } from "../../maintenance/doctor/doctor.ts";
import type { AppDeps } from "../app.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

/** The report, as `runDoctor` gives it. */
export const DoctorReportSchema = z.object({
  clean: z.boolean(),
  scanned_jobs: z.int(),
  findings: z.array(z.object({
    kind: z.string(),
    job_id: z.string().nullable(),
    batch_id: z.string().nullable(),
    queue: z.string().nullable(),
    message: z.string(),
    repair: z.string().openapi({ description: "What `tq doctor --repair` does about it" }),
  })),
}).openapi("DoctorReport");

const doctorRoute = createRoute({
  method: "get",
  path: "/doctor",
  summary: "What can never make progress (tq doctor), without repairing it",
  responses: {
    200: jsonResponse(DoctorReportSchema, "The report; clean: true when nothing was found"),
    ...errorResponses({ 503: "The store does not answer" }),
  },
});

/**
 * Adds `GET /doctor` to `app`.
 *
 * @example
 * ```ts ignore
 * doctorRoutes(app, deps);
 * ```
 */
export function doctorRoutes(app: OpenAPIHono, { store, clock, logger }: AppDeps): void {
  app.openapi(doctorRoute, async (c) => {
    return c.json(await runDoctor({ store, clock, logger, repair: false }), 200);
  });
}
