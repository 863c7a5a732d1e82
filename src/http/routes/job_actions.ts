/**
 * What an operator does to an existing job: `POST /jobs/{id}/retry`,
 * `POST /jobs/{id}/cancel` and `DELETE /jobs/{id}`. Each goes through a pure transition and
 * a versioned write (`src/job_changes.ts`), so it never overwrites a worker's concurrent change.
 *
 * @example
 * ```ts ignore
 * jobActionRoutes(app, deps);
 * await app.request(`/jobs/${id}/cancel`, { method: "POST" });
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { cancelJob, retryJob } from "../../transitions.ts";
import type { AppDeps } from "../app.ts";
import { changeJob, deleteJob } from "../../job_changes.ts";
import { jobJson } from "../job_json.ts";
import { errorResponses, JobIdParams, JobSchema, jsonResponse } from "../schemas.ts";

/** Recorded as the job's `cancel_reason`. */
const CANCEL_REASON = "canceled by request";

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
 * Adds the retry, cancel and delete routes to `app`.
 *
 * @example
 * ```ts ignore
 * jobActionRoutes(app, deps);
 * ```
 */
export function jobActionRoutes(app: OpenAPIHono, { store, clock, jobTtlMs }: AppDeps): void {
  app.openapi(retryRoute, async (c) => {
    const id = c.req.valid("param").id;
    const job = await changeJob(store, id, (job) => retryJob(job, { now: clock.now() }));
    return c.json(jobJson(job), 200);
  });

  app.openapi(cancelRoute, async (c) => {
    const id = c.req.valid("param").id;
    const job = await changeJob(
      store,
      id,
      (job) => cancelJob(job, { now: clock.now(), reason: CANCEL_REASON, ttlMs: jobTtlMs }),
    );
    return c.json(jobJson(job), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { cascade } = c.req.valid("query");
    await deleteJob(store, c.req.valid("param").id, { cascade, now: clock.now(), ttlMs: jobTtlMs });
    return c.body(null, 204);
  });
}
