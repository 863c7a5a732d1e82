/**
 * `GET /batches/{id}`: a bulk enqueue's batch with live counts of its jobs per state,
 * summed by the store in each job's commit, and its completion once every job has ended.
 *
 * @example
 * ```ts ignore
 * batchRoutes(app, deps);
 * const batch = await (await app.request(`/batches/${id}`)).json();
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { BatchNotFoundError } from "../../errors.ts";
import { isJobId } from "../../ids.ts";
import { JOB_STATES } from "../../job.ts";
import type { BatchStatus } from "../../store/batches.ts";
import { batchGet } from "../../batches/batch_records.ts";
import type { AppDeps } from "../app.ts";
import { isoTime } from "../../job_json.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const counts = Object.fromEntries(JOB_STATES.map((state) => [state, z.int()]));

const BatchSchema = z.object({
  id: z.string(),
  total: z.int(),
  ...counts,
  created_at: z.string(),
  completed_at: z.string().nullable(),
  on_complete: z.object({ task: z.string(), queue: z.string().nullable() }).nullable(),
  completion_job_id: z.string().nullable(),
}).openapi("Batch");

const getRoute = createRoute({
  method: "get",
  path: "/batches/{id}",
  summary: "A batch of a bulk enqueue, with live counts",
  request: {
    params: z.object({
      id: z.string().openapi({
        param: { name: "id", in: "path" },
        example: "01JD0000000000000000000000",
      }),
    }),
  },
  responses: {
    200: jsonResponse(BatchSchema, "The batch"),
    ...errorResponses({ 404: "No such batch" }),
  },
});

/**
 * A batch as the API shows it.
 *
 * @example
 * ```ts
 * import { batchJson } from "./batches.ts";
 * import { emptyBatchCounts } from "../../store/batches.ts";
 * const batch = { id: "b", total: 2, queues: ["default"], createdAt: 0 };
 * console.assert(batchJson({ batch, counts: { ...emptyBatchCounts(), queued: 2 } }).queued === 2);
 * ```
 */
export function batchJson({ batch, counts }: BatchStatus) {
  return {
    id: batch.id,
    total: batch.total,
    ...counts,
    created_at: new Date(batch.createdAt).toISOString(),
    completed_at: isoTime(batch.completedAt),
    on_complete: batch.onComplete
      ? { task: batch.onComplete.task, queue: batch.onComplete.queue ?? null }
      : null,
    completion_job_id: batch.completionJobId ?? null,
  };
}

/**
 * Adds `GET /batches/{id}` to `app`.
 *
 * @example
 * ```ts ignore
 * batchRoutes(app, deps);
 * ```
 */
export function batchRoutes(app: OpenAPIHono, { store }: AppDeps): void {
  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid("param");
    const status = isJobId(id) ? await batchGet(store, { id }) : null;
    if (!status) throw new BatchNotFoundError(id);
    return c.json(batchJson(status), 200);
  });
}
