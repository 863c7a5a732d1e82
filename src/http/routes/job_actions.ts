/**
 * What an operator does to an existing job: `POST /jobs/{id}/retry`,
 * `POST /jobs/{id}/cancel`, `POST /jobs/{id}/run-now` and `DELETE /jobs/{id}`. Each goes
 * through `src/job_actions.ts`: a pure transition and a versioned write, so it never
 * overwrites a worker's concurrent change.
 *
 * @example
 * ```ts ignore
 * jobActionRoutes(app, deps);
 * await app.request(`/jobs/${id}/cancel`, { method: "POST" });
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { applyJobAction, type JobAction, type JobActionOptions } from "../../job_actions.ts";
import type { AppDeps } from "../app.ts";
import { jobJson } from "../../job_json.ts";
import { errorResponses, JobIdParams, JobSchema, jsonResponse } from "../schemas.ts";

/** Recorded as the job's `cancel_reason`. */
export const CANCEL_REASON = "canceled by request";

const retryRoute = createRoute({
  method: "post",
  path: "/jobs/{id}/retry",
  summary: "Queue a failed or canceled job again, with a fresh attempt budget",
  request: { params: JobIdParams },
  responses: {
    200: jsonResponse(JobSchema, "The job, queued again"),
    ...errorResponses({ 404: "No such job", 409: "Not failed or canceled", 503: "Contended" }),
  },
});

const cancelRoute = createRoute({
  method: "post",
  path: "/jobs/{id}/cancel",
  summary: "Cancel a job; a running one is asked to stop (cancel_requested)",
  request: { params: JobIdParams },
  responses: {
    200: jsonResponse(JobSchema, "The job, canceled or with cancel_requested"),
    ...errorResponses({ 404: "No such job", 409: "Already ended", 503: "Contended" }),
  },
});

const runNowRoute = createRoute({
  method: "post",
  path: "/jobs/{id}/run-now",
  summary: "Queue a scheduled job now, rather than at its run_at",
  description: "For a delayed job, one waiting out a retry's backoff or a deferral; its " +
    "attempts are kept. Any other state answers 409 naming it.",
  request: { params: JobIdParams },
  responses: {
    200: jsonResponse(JobSchema, "The job, queued"),
    ...errorResponses({ 404: "No such job", 409: "Not scheduled", 503: "Contended" }),
  },
});

/** `?cascade=cancel`: cancel the jobs that wait for the deleted one, in the same commit. */
const DeleteQuery = z.object({
  cascade: z.enum(["cancel"]).optional().openapi({
    param: { name: "cascade", in: "query" },
    description: "cancel the jobs waiting for this one (dependants, the rest of its group)",
  }),
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/jobs/{id}",
  summary: "Delete a job that is not running",
  description: "Refused (409 dependants_waiting, naming them) while other jobs wait for it, " +
    "unless cascade=cancel cancels them with it (cancel_reason: parent <id> deleted).",
  request: { params: JobIdParams, query: DeleteQuery },
  responses: {
    204: { description: "Deleted" },
    ...errorResponses({
      404: "No such job",
      409: "Started (cancel it first), or jobs wait for it (dependants_waiting)",
      503: "Contended",
    }),
  },
});

/**
 * The options of the API's actions at the request's time.
 *
 * @example
 * ```ts ignore
 * await applyJobAction(store, id, "retry", apiActionOptions(deps));
 * ```
 */
export function apiActionOptions(
  { clock, jobTtlMs }: Pick<AppDeps, "clock" | "jobTtlMs">,
  cascade?: "cancel",
): JobActionOptions {
  return { now: clock.now(), ttlMs: jobTtlMs, cancelReason: CANCEL_REASON, cascade };
}

/**
 * Adds the retry, cancel, run-now and delete routes to `app`.
 *
 * @example
 * ```ts ignore
 * jobActionRoutes(app, deps);
 * ```
 */
export function jobActionRoutes(app: OpenAPIHono, deps: AppDeps): void {
  const changed = async (id: string, action: JobAction) =>
    jobJson((await applyJobAction(deps.store, id, action, apiActionOptions(deps))).job!);
  app.openapi(
    retryRoute,
    async (c) => c.json(await changed(c.req.valid("param").id, "retry"), 200),
  );
  app.openapi(
    cancelRoute,
    async (c) => c.json(await changed(c.req.valid("param").id, "cancel"), 200),
  );
  app.openapi(
    runNowRoute,
    async (c) => c.json(await changed(c.req.valid("param").id, "run_now"), 200),
  );

  app.openapi(deleteRoute, async (c) => {
    const options = apiActionOptions(deps, c.req.valid("query").cascade);
    await applyJobAction(deps.store, c.req.valid("param").id, "delete", options);
    return c.body(null, 204);
  });
}
