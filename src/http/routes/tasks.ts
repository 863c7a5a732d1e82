/**
 * The tasks this server knows: `GET /tasks` lists them with the JSON schema of their input,
 * and `POST /tasks/{task}` enqueues one with the request body as its input (options in the
 * query string), the shortest way to start a job from `curl` or a webhook.
 *
 * @example
 * ```ts ignore
 * taskRoutes(app, deps);
 * await app.request("/tasks/noop?priority=-5", { method: "POST" });
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { z as zod } from "zod";
import type { Task } from "../../registry/define_task.ts";
import { JOB_DEFAULTS } from "../../transitions/mod.ts";
import type { AppDeps } from "../app.ts";
import { enqueueAnswer } from "../enqueue.ts";
import { jsonBody } from "../json_body.ts";
import { EnqueueQuery, enqueueResponses, jsonResponse } from "../schemas.ts";

const TaskSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  queue: z.string(),
  priority: z.int(),
  max_attempts: z.int(),
  timeout: z.int(),
  rate_limit: z.object({ max: z.int(), per: z.int() }).nullable()
    .openapi({ description: "At most max starts in any per ms, across workers" }),
  input_schema: z.record(z.string(), z.unknown()).openapi({ description: "JSON Schema" }),
  external: z.boolean()
    .openapi({ description: "Run by a protocol worker (POST /worker/claim), not tq worker" }),
}).openapi("Task");

const listRoute = createRoute({
  method: "get",
  path: "/tasks",
  summary: "The registered tasks and their input schemas",
  responses: { 200: jsonResponse(z.object({ tasks: z.array(TaskSchema) }), "Every task") },
});

const enqueueRoute = createRoute({
  method: "post",
  path: "/tasks/{task}",
  summary: "Enqueue a job of this task; the body is its input",
  middleware: [jsonBody] as const,
  request: {
    params: z.object({ task: z.string() }),
    query: EnqueueQuery,
    // Any JSON: the task's own schema checks it. No body at all means `{}`.
    body: { content: { "application/json": { schema: z.unknown() } } },
  },
  responses: enqueueResponses("Invalid options or input"),
});

/** A task as `GET /tasks` shows it; the schema describes what a client may send. */
function taskJson(task: Task): z.infer<typeof TaskSchema> {
  return {
    name: task.name,
    description: task.description ?? null,
    queue: task.queue ?? JOB_DEFAULTS.queue,
    priority: task.priority ?? JOB_DEFAULTS.priority,
    max_attempts: task.retry?.maxAttempts ?? JOB_DEFAULTS.maxAttempts,
    timeout: task.timeout ?? JOB_DEFAULTS.timeoutMs,
    rate_limit: task.rateLimit ?? null,
    // `io: "input"`: fields with defaults are optional to the sender. Parts JSON Schema
    // cannot express (a transform, a date) become `{}` rather than failing the listing.
    input_schema: zod.toJSONSchema(task.input, { io: "input", unrepresentable: "any" }),
    external: task.external === true,
  };
}

/**
 * Adds the task listing and the per-task enqueue route to `app`.
 *
 * @example
 * ```ts ignore
 * taskRoutes(app, deps);
 * ```
 */
export function taskRoutes(app: OpenAPIHono, { producer, registry }: AppDeps): void {
  // Tasks are static imports: their listing never changes while the server runs.
  let tasks: z.infer<typeof TaskSchema>[] | undefined;

  app.openapi(listRoute, (c) => {
    tasks ??= registry.list().map(taskJson);
    return c.json({ tasks }, 200);
  });

  app.openapi(enqueueRoute, async (c) => {
    const envelope = { task: c.req.valid("param").task, input: c.req.valid("json") };
    const { body, status } = await enqueueAnswer(
      c,
      { ...envelope, ...c.req.valid("query") },
      producer,
    );
    return c.json(body, status, { Location: body.status_url });
  });
}
