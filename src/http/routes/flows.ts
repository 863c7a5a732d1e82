/**
 * Flows over HTTP: `POST /flows` enqueues a whole DAG of jobs in one request, all or
 * nothing (see `src/flows/plan.ts`); `GET /flows/{id}` shows every node's job and state.
 *
 * @example
 * ```ts ignore
 * flowRoutes(app, deps);
 * await app.request("/flows", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ nodes: { a: { task: "noop", input: {} } } }),
 * });
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { TqError } from "../../errors.ts";
import { MAX_PARENTS } from "../../flows/depends_on.ts";
import { type FlowSpec, planFlow } from "../../flows/plan.ts";
import { JOB_STATES } from "../../job.ts";
import { flowStatus } from "../../flows/flow_status.ts";
import { readJob } from "../../job_changes.ts";
import type { AppDeps } from "../app.ts";
import { enqueueRequest } from "../enqueue.ts";
import { isoTime } from "../../job_json.ts";
import { jsonBody } from "../json_body.ts";
import { EnqueueBody, errorResponses, JobIdParams, jsonResponse } from "../schemas.ts";
import { url } from "../base_path.ts";

const nodeName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "1-64 letters, digits, _ . or -");
const { queue, priority, delay, run_at, max_attempts, timeout } = EnqueueBody.shape;

/** One node: a job request whose `depends_on` names other nodes. */
const FlowNodeBody = z.strictObject({
  task: z.string({ error: "required" }),
  input: z.unknown().openapi({ description: "Checked against the task's input schema" }),
  depends_on: z.array(nodeName).max(MAX_PARENTS).optional()
    .openapi({ description: "Names of the nodes that must finish first" }),
  queue,
  priority,
  delay,
  run_at,
  max_attempts,
  timeout,
});

/** Body of `POST /flows`. */
const FlowBody = z.strictObject({ nodes: z.record(nodeName, FlowNodeBody) }).openapi("Flow");

const FlowCreated = z.object({
  flow_id: z.string(),
  nodes: z.record(z.string(), z.string()).openapi({ description: "Job id by node name" }),
  status_url: z.string(),
});

const FlowNodeState = z.object({
  job_id: z.string(),
  status: z.enum(JOB_STATES).nullable().openapi({ description: "null once the job is pruned" }),
  depends_on: z.array(z.string()),
  started_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  cancel_reason: z.string().nullable(),
});

const FlowState = z.object({
  flow_id: z.string(),
  status: z.enum(["running", "finished", "failed"])
    .openapi({ description: "failed once every node ended and one did not finish" }),
  nodes: z.record(z.string(), FlowNodeState),
}).openapi("FlowState");

const createFlowRoute = createRoute({
  method: "post",
  path: "/flows",
  summary: "Enqueue a DAG of jobs, all or nothing",
  middleware: [jsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: FlowBody } } } },
  responses: {
    202: jsonResponse(FlowCreated, "Every node stored; follow status_url"),
    ...errorResponses({
      400: "Malformed JSON",
      413: "Too many nodes or too large for one commit",
      422: "Invalid node, input, unknown node name or cycle; error.issues names each path",
      503: "Store unavailable",
    }),
  },
});

const getFlowRoute = createRoute({
  method: "get",
  path: "/flows/{id}",
  summary: "A flow's nodes and their states",
  request: { params: JobIdParams },
  responses: {
    200: jsonResponse(FlowState, "The flow"),
    ...errorResponses({ 404: "No such flow" }),
  },
});

/**
 * Adds `POST /flows` and `GET /flows/{id}` to `app`.
 *
 * @example
 * ```ts ignore
 * flowRoutes(app, deps);
 * ```
 */
export function flowRoutes(app: OpenAPIHono, { producer, store }: AppDeps): void {
  app.openapi(createFlowRoute, async (c) => {
    const body = c.req.valid("json");
    const spec: FlowSpec = { nodes: {} };
    for (const [name, { task, input, depends_on, ...fields }] of Object.entries(body.nodes)) {
      spec.nodes[name] = { ...enqueueRequest(task, input, fields), dependsOn: depends_on };
    }
    const jobs = planFlow(producer, store, spec);
    await store.jobInsertMany({ jobs });
    const flowId = jobs[0].id;
    c.header("Location", url(`/flows/${flowId}`));
    return c.json({
      flow_id: flowId,
      nodes: jobs[0].flow!.nodes!,
      status_url: url(`/flows/${flowId}`),
    }, 202);
  });

  app.openapi(getFlowRoute, async (c) => {
    const { id } = c.req.valid("param");
    const head = await readJob(store, id).catch(() => null);
    const map = head?.flow?.id === id ? head.flow.nodes : undefined;
    if (!map) throw new TqError("flow_not_found", `no flow with id "${id}"`, { flow_id: id });
    const names = Object.keys(map);
    const jobs = await store.jobGetMany(names.map((name) => map[name]));
    const nameOf = new Map(names.map((name) => [map[name], name]));
    const nodes = Object.fromEntries(names.map((name, i) => {
      const job = jobs[i];
      return [name, {
        job_id: map[name],
        status: job?.state ?? null,
        depends_on: (job?.dependsOn ?? []).map((parent) => nameOf.get(parent) ?? parent),
        started_at: isoTime(job?.startedAt),
        ended_at: isoTime(job?.endedAt),
        cancel_reason: job?.cancelReason ?? null,
      }];
    }));
    return c.json({ flow_id: id, status: flowStatus(jobs), nodes }, 200);
  });
}
