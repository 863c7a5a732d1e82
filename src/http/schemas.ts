/**
 * The zod schemas of the API's requests and answers: the routes validate with them and a
 * later `/openapi.json` is generated from them, so the docs cannot drift from the checks.
 *
 * @example
 * ```ts
 * import { EnqueueBody } from "./schemas.ts";
 * console.assert(!EnqueueBody.safeParse({ task: "noop", input: {}, priority: 5000 }).success);
 * ```
 * @module
 */
import { z } from "@hono/zod-openapi";
import { JOB_STATES } from "../job.ts";
import { MAX_PARENTS } from "../flows/depends_on.ts";
import { MAX_IDEMPOTENCY_KEY_CHARS, MAX_IDEMPOTENCY_TTL_MS } from "../guards/idempotency.ts";
import { MAX_GROUP_CHARS } from "../guards/group.ts";
import { MAX_CONCURRENCY_KEY_CHARS, MAX_CONCURRENCY_LIMIT } from "../guards/concurrency.ts";
import {
  MAX_DEBOUNCE_KEY_CHARS,
  MAX_DEBOUNCE_MAX_WAIT_MS,
  MAX_DEBOUNCE_WAIT_MS,
} from "../guards/debounce.ts";
import { MAX_AHEAD_MS } from "../input_rules.ts";
import { SEARCH_SCAN_CAP } from "../job_search.ts";

/** Longest per-attempt timeout: timers overflow past 2^31-1 ms and would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const queue = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "1-64 letters, digits, _ . or -");
const priority = z.int().min(-1000).max(1000).openapi({ description: "Lower runs first" });
const delay = z.int().min(0).max(MAX_AHEAD_MS)
  .openapi({ description: "Run no sooner than this many ms from now (at most 10 years)" });
const isoRunAt = z.iso.datetime({ offset: true });
const expiresIn = z.int().min(1).max(MAX_AHEAD_MS).openapi({
  description: "Expiry: not started within this many ms, the job is canceled as expired",
});
const expiresAt = z.union([isoRunAt, z.int().min(0)]).openapi({
  description: "Expiry as ISO-8601 time or epoch ms: not started by then, canceled as expired",
});
const maxAttempts = z.int().min(1).max(100);
const timeout = z.int().min(1).max(MAX_TIMEOUT_MS).openapi({ description: "Per attempt, in ms" });
const idempotencyKey = z.string().min(1).max(MAX_IDEMPOTENCY_KEY_CHARS)
  .openapi({ description: "A repeat within idempotency_ttl returns the first job (200)" });
const idempotencyTtl = z.int().min(1).max(MAX_IDEMPOTENCY_TTL_MS)
  .openapi({ description: "How long the idempotency key holds, in ms (24 h)" });

const group = z.string().min(1).max(MAX_GROUP_CHARS).openapi({
  description: "Ordered group: jobs with the same key run one at a time, in enqueue order",
});

const concurrencyKey = z.string().min(1).max(MAX_CONCURRENCY_KEY_CHARS).openapi({
  description: "Per-key concurrency: at most concurrency_limit jobs with this key are queued " +
    "or running at once; the rest wait deferred, released in turn with other keys' jobs. " +
    "Overrides the task's concurrency.key. Not with group, depends_on, idempotency_key or debounce",
});
const concurrencyLimit = z.int().min(1).max(MAX_CONCURRENCY_LIMIT).openapi({
  description: "The key's limit; required with concurrency_key unless the task sets one",
});

const debounce = z.strictObject({
  key: z.string().min(1).max(MAX_DEBOUNCE_KEY_CHARS)
    .openapi({ description: "Enqueues of the task with the same key join one waiting job" }),
  wait_ms: z.int().min(1).max(MAX_DEBOUNCE_WAIT_MS)
    .openapi({ description: "How long the job waits after the latest enqueue, in ms" }),
  max_wait_ms: z.int().min(1).max(MAX_DEBOUNCE_MAX_WAIT_MS).optional().openapi({
    description: "The latest the job starts after the first enqueue, in ms (at least wait_ms)",
  }),
}).openapi({
  description: "Debounce: an enqueue while the key's job has not started replaces its input, " +
    "pushes its start back to wait_ms from now (never past max_wait_ms after the first) and " +
    'answers 202 with the same job_id and "debounced": true. Not with delay, run_at, ' +
    "expires_in, expires_at, depends_on, idempotency_key, group or concurrency_key; not in bulk",
});

/** A query parameter holding an integer: digits only, unlike `Number()` which takes "" as 0. */
// Checked by the producer (src/callbacks/callback_url.ts), which task.enqueue() uses too.
const callbackUrl = z.string().openapi({
  format: "uri",
  description: "http(s) URL POSTed the final job JSON when the job ends (at least once)",
});

function queryInt(schema: z.ZodInt) {
  return z.string().regex(/^-?\d+$/, "expected an integer").transform(Number).pipe(schema);
}

/**
 * Refuses `delay` together with `run_at`, and `expires_in` with `expires_at`: which one
 * should win would be a guess.
 */
function oneStartTime(
  value: { delay?: unknown; run_at?: unknown; expires_in?: unknown; expires_at?: unknown },
  ctx: z.RefinementCtx,
) {
  if (value.delay !== undefined && value.run_at !== undefined) {
    ctx.addIssue({ code: "custom", path: ["run_at"], message: "give delay or run_at, not both" });
  }
  if (value.expires_in !== undefined && value.expires_at !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["expires_at"],
      message: "give expires_in or expires_at, not both",
    });
  }
}

const enqueueOptions = {
  queue: queue.optional(),
  priority: priority.optional(),
  delay: delay.optional(),
  run_at: z.union([isoRunAt, z.int().min(0)]).optional()
    .openapi({ description: "ISO-8601 time or epoch ms, from 1970 to 10 years from now" }),
  max_attempts: maxAttempts.optional(),
  timeout: timeout.optional(),
  expires_in: expiresIn.optional(),
  expires_at: expiresAt.optional(),
  idempotency_key: idempotencyKey.optional(),
  idempotency_ttl: idempotencyTtl.optional(),
  callback_url: callbackUrl.optional(),
};

/** Body of `POST /jobs`. Unknown fields are refused: a typo must not be silently dropped. */
export const EnqueueBody = z.strictObject({
  task: z.string({ error: "required" }),
  input: z.unknown().openapi({ description: "Checked against the task's input schema" }),
  ...enqueueOptions,
  group: group.optional(),
  concurrency_key: concurrencyKey.optional(),
  concurrency_limit: concurrencyLimit.optional(),
  debounce: debounce.optional(),
  depends_on: z.array(z.string()).max(MAX_PARENTS).optional().openapi({
    description: "Ids of jobs that must finish first; the job waits `deferred` until then",
  }),
}).superRefine(oneStartTime);

/** Query of `POST /tasks/{task}`: the same options as `POST /jobs`, as strings. */
export const EnqueueQuery = z.strictObject({
  queue: queue.optional(),
  priority: queryInt(priority).optional(),
  delay: queryInt(delay).optional(),
  run_at: z.union([isoRunAt, queryInt(z.int().min(0))]).optional(),
  max_attempts: queryInt(maxAttempts).optional(),
  timeout: queryInt(timeout).optional(),
  expires_in: queryInt(expiresIn).optional(),
  expires_at: z.union([isoRunAt, queryInt(z.int().min(0))]).optional(),
  idempotency_key: idempotencyKey.optional(),
  idempotency_ttl: queryInt(idempotencyTtl).optional(),
  group: group.optional(),
  concurrency_key: concurrencyKey.optional(),
  concurrency_limit: queryInt(concurrencyLimit).optional(),
  callback_url: callbackUrl.optional(),
}).superRefine(oneStartTime);

/** The options both enqueue routes accept, once parsed. */
export type EnqueueFields = Omit<z.output<typeof EnqueueBody>, "task" | "input">;

/** Answer of both enqueue routes. */
export const Enqueued = z.object({
  job_id: z.string(),
  status: z.enum(JOB_STATES),
  status_url: z.string(),
  debounced: z.literal(true).optional().openapi({
    description: "Present when a debounced enqueue joined the job waiting for its key",
  }),
}).openapi("Enqueued");

const JobErrorSchema = z.object({
  attempt: z.int(),
  at: z.string(),
  name: z.string(),
  message: z.string(),
  stack: z.string().nullable(),
  worker_id: z.string().nullable(),
}).openapi("JobError");

const StepSchema = z.object({
  name: z.string(),
  kind: z.enum(["run", "sleep", "event"]),
  state: z.enum(["finished", "failed", "sleeping", "waiting"]),
  attempt: z.int(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  duration_ms: z.int().nullable(),
  result: z.unknown(),
  error: z.object({ name: z.string(), message: z.string() }).nullable(),
  until: z.string().nullable()
    .openapi({ description: "When a sleep ends, or a wait times out" }),
  event: z.string().nullable(),
  key: z.string().nullable(),
}).openapi("JobStep");

/** A job as `jobJson` renders it. */
export const JobSchema = z.object({
  id: z.string(),
  task: z.string(),
  queue: z.string(),
  priority: z.int(),
  status: z.enum(JOB_STATES),
  input: z.unknown(),
  result: z.unknown(),
  error: JobErrorSchema.nullable(),
  errors: z.array(JobErrorSchema),
  attempts: z.int(),
  max_attempts: z.int(),
  created_at: z.string().nullable(),
  run_at: z.string().nullable()
    .openapi({ description: "null only for a time stored out of range by an older version" }),
  started_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  worker_id: z.string().nullable(),
  cancel_requested: z.boolean(),
  cancel_reason: z.string().nullable()
    .openapi({ description: '"expired" for a job not started by its expires_at' }),
  expires_at: z.string().nullable()
    .openapi({ description: "When a job not started yet expires (expires_in or expires_at)" }),
  deferrals: z.int()
    .openapi({ description: "Times put back without using an attempt (RateLimitedError)" }),
  depends_on: z.array(z.string()),
  dependants: z.array(z.string()),
  flow_id: z.string().nullable(),
  group: z.string().nullable(),
  concurrency_key: z.string().nullable(),
  concurrency_limit: z.int().nullable(),
  progress: z.union([z.number(), z.record(z.string(), z.unknown())]).nullable()
    .openapi({ description: "The handler's last ctx.progress(): 0-100 or a small object" }),
  callback: z.object({
    state: z.enum(["waiting", "pending", "delivered", "gave_up", "refused"]),
    attempts: z.int(),
    next_attempt_at: z.string().nullable(),
    refusal: z.string().nullable(),
  }).nullable().openapi({
    description: "The completion callback (null without callback_url); while pending, the " +
      "pruner keeps the job",
  }),
  steps: z.array(StepSchema).openapi({
    description: "Durable steps (ctx.step, ctx.sleep, ctx.waitForEvent) in the order reached",
  }),
}).openapi("Job");

/** How `GET /jobs` names an input field to search by: `input.user_id=42`. */
export const INPUT_FILTER = "input.";

const jobListFields = {
  status: z.enum(JOB_STATES).optional(),
  queue: z.string().optional(),
  task: z.string().optional(),
  limit: queryInt(z.int().min(1).max(500)).optional(),
  cursor: z.string().optional(),
  id_prefix: z.string().optional().openapi({
    description: "Jobs whose id starts with this (case-insensitive); a bounded scan",
  }),
  scan_limit: queryInt(z.int().min(1).max(SEARCH_SCAN_CAP)).optional().openapi({
    description: `With id_prefix or input.*: jobs examined at most (default ${SEARCH_SCAN_CAP})`,
  }),
};

/**
 * Query of `GET /jobs`: the listing's filters, plus any number of `input.<field>=<value>`
 * (up to five, checked by the search); any other name is refused as an unknown field.
 */
export const JobListQuery = z.object(jobListFields).catchall(z.string()).superRefine(
  (query, ctx) => {
    for (const key of Object.keys(query)) {
      if (!(key in jobListFields) && !key.startsWith(INPUT_FILTER)) {
        ctx.addIssue({ code: "custom", path: [key], message: "unknown field" });
      }
    }
  },
);

/** Path of the routes about one job. */
export const JobIdParams = z.object({
  id: z.string().openapi({
    param: { name: "id", in: "path" },
    example: "01JD0000000000000000000000",
  }),
});

/** Every error answer. */
export const ErrorSchema = z.object({
  error: z.looseObject({ code: z.string(), message: z.string() }),
}).openapi("Error");

/**
 * The `responses` entries of error statuses a route may answer, for the OpenAPI document.
 *
 * @example
 * ```ts
 * import { errorResponses } from "./schemas.ts";
 * console.assert(errorResponses({ 404: "no such job" })[404].description === "no such job");
 * ```
 */
export function errorResponses<S extends number>(statuses: Record<S, string>) {
  const entries = Object.entries(statuses).map(([status, description]) => [status, {
    description: description as string,
    content: { "application/json": { schema: ErrorSchema } },
  }]);
  return Object.fromEntries(entries) as Record<
    S,
    { description: string; content: { "application/json": { schema: typeof ErrorSchema } } }
  >;
}

/**
 * A JSON answer for the OpenAPI document.
 *
 * @example
 * ```ts
 * import { z } from "@hono/zod-openapi";
 * import { jsonResponse } from "./schemas.ts";
 * const ok = jsonResponse(z.object({ status: z.literal("ok") }), "Healthy");
 * ```
 */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/**
 * What both enqueue routes (`POST /jobs`, `POST /tasks/{task}`) answer; `invalid` says what
 * a 422 refuses.
 *
 * @example
 * ```ts
 * import { enqueueResponses } from "./schemas.ts";
 * console.assert(202 in enqueueResponses("Invalid request or input"));
 * ```
 */
export function enqueueResponses(invalid: string) {
  return {
    200: jsonResponse(Enqueued, "A repeat of an idempotency key: the original job"),
    202: jsonResponse(
      Enqueued,
      "Stored, or a debounced enqueue joined the waiting job (debounced: true); follow status_url (also the Location header)",
    ),
    ...errorResponses({
      400: "Malformed JSON",
      404: "Unknown task",
      413: "Body or job too large",
      415: "Body is not JSON",
      422: `${invalid}; error.issues names each field`,
      503: "Store unavailable",
    }),
  };
}
