/**
 * What the two enqueue routes share: turning the API's snake_case options into a producer
 * request, and the 202 answer that points at the new job.
 *
 * @example
 * ```ts
 * import { enqueueRequest } from "./enqueue.ts";
 * const request = enqueueRequest("noop", {}, { run_at: "2030-01-01T00:00:00Z" });
 * console.assert(request.runAt === Date.UTC(2030, 0, 1));
 * ```
 * @module
 */
import type { Context } from "hono";
import type { Job } from "../job.ts";
import { requestKey } from "../guards/idempotency.ts";
import type { Producer } from "../producer.ts";
import type { EnqueueRequest } from "../registry/default_producer.ts";
import type { EnqueueFields } from "./schemas.ts";
import { url } from "./base_path.ts";

/**
 * The producer request for a task, its input and the request's options.
 *
 * @example
 * ```ts
 * import { enqueueRequest } from "./enqueue.ts";
 * console.assert(enqueueRequest("noop", {}, { max_attempts: 2 }).maxAttempts === 2);
 * ```
 */
export function enqueueRequest(
  task: string,
  input: unknown,
  fields: EnqueueFields,
): EnqueueRequest {
  return {
    task,
    input,
    queue: fields.queue,
    priority: fields.priority,
    delay: fields.delay,
    // The schema only lets through ISO-8601 strings, which Date.parse reads exactly.
    runAt: typeof fields.run_at === "string" ? Date.parse(fields.run_at) : fields.run_at,
    maxAttempts: fields.max_attempts,
    timeout: fields.timeout,
    expiresIn: fields.expires_in,
    expiresAt: typeof fields.expires_at === "string"
      ? Date.parse(fields.expires_at)
      : fields.expires_at,
    dependsOn: fields.depends_on,
    group: fields.group,
    concurrencyKey: fields.concurrency_key,
    concurrencyLimit: fields.concurrency_limit,
    debounce: fields.debounce && {
      key: fields.debounce.key,
      waitMs: fields.debounce.wait_ms,
      maxWaitMs: fields.debounce.max_wait_ms,
    },
    idempotencyKey: fields.idempotency_key,
    idempotencyTtl: fields.idempotency_ttl,
    callbackUrl: fields.callback_url,
  };
}

/**
 * Where a job can be looked at (under the app's `basePath`, if any).
 *
 * @example
 * ```ts
 * import { jobUrl } from "./enqueue.ts";
 * console.assert(jobUrl("01J") === "/jobs/01J");
 * ```
 */
export function jobUrl(id: string): string {
  return url(`/jobs/${id}`);
}

/**
 * The body of a 202: the new job's id, status and where to follow it; `debounced` when a
 * debounced enqueue joined the waiting job instead of creating one.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions/mod.ts";
 * import { enqueuedJson } from "./enqueue.ts";
 * const body = enqueuedJson(createJob({ id: "01J", task: "noop", input: {} }, 0));
 * console.assert(body.status_url === "/jobs/01J");
 * ```
 */
export function enqueuedJson(
  job: Job,
  debounced = false,
): { job_id: string; status: Job["state"]; status_url: string; debounced?: true } {
  const body = { job_id: job.id, status: job.state, status_url: jobUrl(job.id) };
  return debounced ? { ...body, debounced: true } : body;
}

/** A `POST /jobs` body whose envelope is checked: the task, its input and the options. */
export type EnqueueEnvelope = { task: string; input?: unknown } & EnqueueFields;

/** The answer to an enqueue: its JSON body and status; its `Location` is `body.status_url`. */
export interface EnqueueAnswer {
  body: ReturnType<typeof enqueuedJson>;
  status: 200 | 202;
}

/**
 * Enqueues the job of a checked enqueue body (with the request's `Idempotency-Key`): the
 * answer is 202, or 200 for a repeated idempotency key. The caller sends it with
 * `Location: body.status_url`.
 *
 * @example
 * ```ts ignore
 * const { body, status } = await enqueueAnswer(c, { task: "noop", input: {} }, producer);
 * return c.json(body, status, { Location: body.status_url });
 * ```
 */
export async function enqueueAnswer(
  c: Context,
  { task, input, ...fields }: EnqueueEnvelope,
  producer: Producer,
): Promise<EnqueueAnswer> {
  const request = enqueueRequest(task, input, fields);
  request.idempotencyKey = requestKey(request.idempotencyKey, c.req.header("idempotency-key"));
  const { job, created, debounced } = await producer.enqueueOnce(request);
  // A repeat of an idempotency key is 200; a debounced one changed the job, so 202.
  return { body: enqueuedJson(job, debounced), status: created || debounced ? 202 : 200 };
}
