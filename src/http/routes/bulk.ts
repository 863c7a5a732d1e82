/**
 * `POST /jobs/bulk`: up to 10,000 jobs in one request, as one batch. Each entry has the
 * shape of a `POST /jobs` body and is validated on its own; the answer lists the ids of
 * the accepted jobs and, by index, why the others were refused. `on_complete` is a job
 * enqueued once every accepted job has ended. Follow the batch at `GET /batches/{id}`.
 * With an `idempotency_key` (or `Idempotency-Key` header), a repeat of the request answers
 * 200 with the same batch: the jobs the first request stored, and the others as rejected
 * with code `not_stored` (the first request died midway), so a client that lost the answer
 * learns which jobs exist.
 *
 * @example
 * ```ts ignore
 * bulkRoutes(app, deps);
 * await app.request("/jobs/bulk", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ jobs: [{ task: "noop", input: {} }] }),
 * });
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { bulkEnqueue, completionSpec, MAX_BULK_JOBS } from "../../batches/bulk_enqueue.ts";
import type { BatchCompletion } from "../../store/batches.ts";
import { InvalidInputError, TqError } from "../../errors.ts";
import { idempotencyIssues, requestKey } from "../../guards/idempotency.ts";
import type { Producer } from "../../producer.ts";
import type { EnqueueRequest } from "../../registry/default_producer.ts";
import type { AppDeps } from "../app.ts";
import { enqueueRequest } from "../enqueue.ts";
import { requestIssues } from "../errors.ts";
import { jsonBody } from "../json_body.ts";
import { EnqueueBody, errorResponses, jsonResponse } from "../schemas.ts";
import { url } from "../base_path.ts";

const BulkBody = z.strictObject({
  // The cap is checked by the handler, so its refusal names the limit (413, bulk_jobs).
  jobs: z.array(z.unknown()).min(1).openapi({
    maxItems: MAX_BULK_JOBS,
    description: "Each one a POST /jobs body, checked on its own",
  }),
  on_complete: z.unknown().optional()
    .openapi({ description: "A POST /jobs body: enqueued once every accepted job has ended" }),
  idempotency_key: z.string().optional().openapi({
    description: "A repeat within 24 h answers 200: the jobs the first request stored, " +
      "the others rejected as not_stored",
  }),
});

const Issue = z.object({ path: z.string(), message: z.string() });

const BulkAnswer = z.object({
  batch_id: z.string(),
  status_url: z.string(),
  job_ids: z.array(z.string()),
  rejected: z.array(z.object({
    index: z.int(),
    error: z.object({ code: z.string(), message: z.string(), issues: z.array(Issue).optional() }),
  })),
}).openapi("BulkEnqueued");

const bulkRoute = createRoute({
  method: "post",
  path: "/jobs/bulk",
  summary: "Enqueue many jobs as one batch",
  middleware: [jsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: BulkBody } } } },
  responses: {
    200: jsonResponse(BulkAnswer, "A repeat of an idempotency key: what the first request stored"),
    202: jsonResponse(BulkAnswer, "Accepted jobs stored; refused ones listed by index"),
    ...errorResponses({
      400: "Malformed JSON",
      413: `Body too large, or more than ${MAX_BULK_JOBS} jobs (limit: bulk_jobs)`,
      415: "Body is not JSON",
      422: "Invalid request, invalid on_complete, or every job refused (error.rejected)",
      503: "Store unavailable",
    }),
  },
});

/** One entry as a producer request, or the error that rules it out. */
function entryRequest(entry: unknown, prefix = ""): EnqueueRequest | InvalidInputError {
  const parsed = EnqueueBody.safeParse(entry);
  if (!parsed.success) return new InvalidInputError(requestIssues(parsed.error, prefix));
  const { task, input, ...fields } = parsed.data;
  return enqueueRequest(task, input, fields);
}

/** The checked completion job; its issues are named from the request's root. */
function completion(producer: Producer, entry: unknown): BatchCompletion {
  const request = entryRequest(entry, "on_complete");
  if (request instanceof Error) throw request;
  try {
    return completionSpec(producer, request);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new InvalidInputError(error.issues.map((issue) => ({
      ...issue,
      path: issue.path.startsWith("on_complete") ? issue.path : `on_complete.${issue.path}`,
    })));
  }
}

/**
 * Adds `POST /jobs/bulk` to `app`.
 *
 * @example
 * ```ts ignore
 * bulkRoutes(app, deps);
 * ```
 */
export function bulkRoutes(app: OpenAPIHono, { producer, store, clock }: AppDeps): void {
  app.openapi(bulkRoute, async (c) => {
    const body = c.req.valid("json");
    if (body.jobs.length > MAX_BULK_JOBS) {
      throw new TqError(
        "payload_too_large",
        `a bulk request holds ${body.jobs.length} jobs; the limit is ${MAX_BULK_JOBS}`,
        { limit: "bulk_jobs", max: MAX_BULK_JOBS },
      );
    }
    const idempotencyKey = requestKey(body.idempotency_key, c.req.header("idempotency-key"));
    const keyIssues = idempotencyIssues({ idempotencyKey });
    if (keyIssues.length > 0) throw new InvalidInputError(keyIssues);
    const onComplete = body.on_complete === undefined
      ? undefined
      : completion(producer, body.on_complete);
    const result = await bulkEnqueue({
      store,
      producer,
      requests: body.jobs.map((entry) => entryRequest(entry)),
      onComplete,
      idempotencyKey,
      now: clock.now(),
    });
    if (!result.batch) {
      throw new InvalidInputError(
        [{ path: "jobs", message: `all ${body.jobs.length} jobs were refused` }],
        { rejected: result.rejected },
      );
    }
    return c.json({
      batch_id: result.batch.id,
      status_url: url(`/batches/${result.batch.id}`),
      job_ids: result.jobIds,
      rejected: result.rejected,
    }, result.created ? 202 : 200);
  });
}
