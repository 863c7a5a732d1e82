/**
 * `POST /jobs/actions`: retry, cancel, delete or run now up to 500 jobs in one request,
 * `{"action": "retry", "ids": [...]}`. Each id is changed as its single-job route would
 * change it (`src/job_actions.ts`), and the answer says per id what happened: `done`,
 * `not_found`, `refused` with the error its own route would have answered (a finished job
 * cannot be canceled; jobs wait for one being deleted), or `failed` (contended: try again).
 *
 * @example
 * ```ts ignore
 * jobBulkActionRoutes(app, deps);
 * await app.request("/jobs/actions", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ action: "retry", ids: ["01K…", "01K…"] }),
 * });
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { InvalidInputError } from "../../errors.ts";
import {
  applyJobActionMany,
  countOutcomes,
  JOB_ACTIONS,
  type JobActionOutcome,
  MAX_ACTION_IDS,
  OUTCOMES,
} from "../../job_actions.ts";
import type { AppDeps } from "../app.ts";
import { errorResponse } from "../errors.ts";
import { jsonBody } from "../json_body.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";
import { apiActionOptions } from "./job_actions.ts";

const ActionBody = z.strictObject({
  action: z.enum(JOB_ACTIONS),
  // The cap is checked by the handler, so its refusal names the limit (bulk_ids).
  ids: z.array(z.string().max(64)).min(1).openapi({
    maxItems: MAX_ACTION_IDS,
    description: "Distinct job ids",
  }),
  cascade: z.enum(["cancel"]).optional().openapi({
    description: "With delete: cancel the jobs waiting for each deleted one",
  }),
});

const ActionResult = z.object({
  id: z.string(),
  outcome: z.enum(OUTCOMES),
  status: z.string().optional().openapi({ description: "done: the job's status now" }),
  canceled: z.array(z.string()).optional()
    .openapi({ description: "done, delete with cascade: the dependants canceled with it" }),
  error: z.looseObject({ code: z.string(), message: z.string() }).optional().openapi({
    description: "not done: the error the job's own route would have answered",
  }),
});

const ActionAnswer = z.object({
  action: z.enum(JOB_ACTIONS),
  counts: z.object({ done: z.int(), not_found: z.int(), refused: z.int(), failed: z.int() }),
  results: z.array(ActionResult),
}).openapi("JobActions");

const actionsRoute = createRoute({
  method: "post",
  path: "/jobs/actions",
  summary: "Retry, cancel, delete or run now many jobs",
  description: `Up to ${MAX_ACTION_IDS} distinct ids, each changed as its own route would; ` +
    "results follow the order of ids.",
  middleware: [jsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: ActionBody } } } },
  responses: {
    200: jsonResponse(ActionAnswer, "What happened to each id"),
    ...errorResponses({
      400: "Malformed JSON",
      415: "Body is not JSON",
      422: `Invalid request, repeated ids, or more than ${MAX_ACTION_IDS} (limit: bulk_ids)`,
    }),
  },
});

function resultJson(outcome: JobActionOutcome) {
  if (outcome.outcome !== "done") {
    return {
      id: outcome.id,
      outcome: outcome.outcome,
      error: errorResponse(outcome.error).body.error,
    };
  }
  return {
    id: outcome.id,
    outcome: outcome.outcome,
    ...(outcome.job ? { status: outcome.job.state } : {}),
    ...(outcome.canceled.length > 0 ? { canceled: outcome.canceled } : {}),
  };
}

/**
 * Adds `POST /jobs/actions` to `app`.
 *
 * @example
 * ```ts ignore
 * jobBulkActionRoutes(app, deps);
 * ```
 */
export function jobBulkActionRoutes(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(actionsRoute, async (c) => {
    const { action, ids, cascade } = c.req.valid("json");
    if (cascade && action !== "delete") {
      throw new InvalidInputError([{ path: "cascade", message: "only with action delete" }]);
    }
    const outcomes = await applyJobActionMany(
      deps.store,
      ids,
      action,
      apiActionOptions(deps, cascade),
    );
    return c.json(
      { action, counts: countOutcomes(outcomes), results: outcomes.map(resultJson) },
      200,
    );
  });
}
