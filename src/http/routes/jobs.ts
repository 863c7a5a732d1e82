/**
 * Jobs in and out: `POST /jobs` enqueues, `GET /jobs/{id}` shows one job, `GET /jobs`
 * lists them newest first, a page at a time.
 *
 * @example
 * ```ts ignore
 * jobRoutes(app, deps);
 * await app.request("/jobs", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ task: "noop", input: {} }),
 * });
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { InvalidInputError } from "../../errors.ts";
import { fieldIssues } from "../../producer.ts";
import type { Registry } from "../../registry/registry.ts";
import type { AppDeps } from "../app.ts";
import { readJob } from "../../job_changes.ts";
import { enqueueAnswer } from "../enqueue.ts";
import { requestIssues, type ValidationResult } from "../errors.ts";
import { jobJson } from "../../job_json.ts";
import { jsonBody } from "../json_body.ts";
import { type JobSearch, needsScan, SEARCH_SCAN_CAP, searchJobs } from "../../job_search.ts";
import {
  EnqueueBody,
  enqueueResponses,
  errorResponses,
  INPUT_FILTER,
  JobIdParams,
  JobListQuery,
  JobSchema,
  jsonResponse,
} from "../schemas.ts";

/** Page size of `GET /jobs` when `limit` is not given. */
const DEFAULT_LIMIT = 50;

const enqueueRoute = createRoute({
  method: "post",
  path: "/jobs",
  summary: "Enqueue a job",
  middleware: [jsonBody] as const,
  request: {
    body: { required: true, content: { "application/json": { schema: EnqueueBody } } },
  },
  responses: enqueueResponses("Invalid request or input"),
});

const getRoute = createRoute({
  method: "get",
  path: "/jobs/{id}",
  summary: "One job",
  request: { params: JobIdParams },
  responses: {
    200: jsonResponse(JobSchema, "The job"),
    ...errorResponses({ 404: "No such job" }),
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/jobs",
  summary: "Jobs, newest first; search by id prefix and input fields",
  description: "id_prefix and input.<field>=<value> (up to five top-level input fields; a " +
    "string value compares as itself, any other as its JSON, so input.user_id=42 matches 42 " +
    `and "42") are checked above the store by a bounded scan: at most scan_limit jobs ` +
    `(default and most ${SEARCH_SCAN_CAP}) are examined per request, and scan says how many ` +
    "and whether the cap stopped it; next_cursor continues the same search.",
  request: { query: JobListQuery },
  responses: {
    200: jsonResponse(
      z.object({
        jobs: z.array(JobSchema),
        next_cursor: z.string().nullable(),
        scan: z.object({ scanned: z.int(), cap: z.int(), capped: z.boolean() }).optional()
          .openapi({ description: "With id_prefix or input.*: how far the scan went" }),
      }),
      "One page; pass next_cursor as cursor for the next (null on the last page)",
    ),
    ...errorResponses({ 422: "Invalid filter, limit, cursor or input field (named)" }),
  },
});

/**
 * A request-level failure also names the input's problems when the task is known, so one
 * answer lists everything wrong with the request instead of one layer at a time.
 */
function enqueueHook(registry: Registry) {
  return (result: ValidationResult): undefined => {
    if (result.success) return undefined;
    const issues = requestIssues(result.error);
    const body = result.data;
    if (typeof body === "object" && body !== null && "task" in body && "input" in body) {
      const task = typeof body.task === "string" && registry.has(body.task)
        ? registry.get(body.task)
        : undefined;
      const parsed = task?.input.safeParse(body.input);
      // As the producer words them, so the input's issues read the same in both answers.
      if (parsed && !parsed.success) issues.push(...fieldIssues(parsed.error, "input"));
    }
    throw new InvalidInputError(issues);
  };
}

/**
 * Adds the enqueue, show and list routes to `app`.
 *
 * @example
 * ```ts ignore
 * jobRoutes(app, deps);
 * ```
 */
export function jobRoutes(app: OpenAPIHono, { producer, registry, store }: AppDeps): void {
  app.openapi(enqueueRoute, async (c) => {
    const { body, status } = await enqueueAnswer(c, c.req.valid("json"), producer);
    return c.json(body, status, { Location: body.status_url });
  }, enqueueHook(registry));

  app.openapi(getRoute, async (c) => {
    const job = await readJob(store, c.req.valid("param").id);
    return c.json(jobJson(job), 200);
  });

  app.openapi(listRoute, async (c) => {
    const { status, queue, task, limit, cursor, id_prefix, scan_limit, ...rest } = c.req.valid(
      "query",
    );
    const input = Object.fromEntries(
      Object.entries(rest).map(([key, value]) => [key.slice(INPUT_FILTER.length), value]),
    );
    const search: JobSearch = {
      state: status,
      queue,
      task,
      limit: limit ?? DEFAULT_LIMIT,
      cursor,
      idPrefix: id_prefix?.toUpperCase(),
      input,
      scanLimit: scan_limit,
    };
    if (!needsScan(search) && scan_limit !== undefined) {
      throw new InvalidInputError([{
        path: "scan_limit",
        message: "only with id_prefix or input.*",
      }]);
    }
    if (!needsScan(search)) {
      const page = await store.jobList(search);
      return c.json({ jobs: page.jobs.map(jobJson), next_cursor: page.nextCursor ?? null }, 200);
    }
    const page = await searchJobs(store, search);
    return c.json({
      jobs: page.jobs.map(jobJson),
      next_cursor: page.nextCursor ?? null,
      scan: { scanned: page.scanned, cap: scan_limit ?? SEARCH_SCAN_CAP, capped: page.capped },
    }, 200);
  });
}
