/**
 * One OpenAPI operation per registered task, `POST /tasks/{name}` with that task's input
 * JSON Schema as the request body, so a generated client or the `/docs` page shows what
 * each task takes. They document the one enqueue route `POST /tasks/{task}`
 * (`tasks.ts`), which serves them all: nothing is routed here.
 *
 * @example
 * ```ts ignore
 * taskOperations(app, registry);
 * // /openapi.json: paths["/tasks/send_notification"].post.requestBody → the task's schema
 * ```
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import type { Task } from "../../registry/define_task.ts";
import type { Registry } from "../../registry/registry.ts";
import { EnqueueQuery, enqueueResponses } from "../schemas.ts";

/**
 * The JSON Schema a client may send as `task`'s input: fields with defaults are optional,
 * and what JSON Schema cannot express (a transform, a date) is left open (`{}`).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "../../registry/define_task.ts";
 * import { inputJsonSchema } from "./task_operations.ts";
 * const task = defineTask({ name: "t", input: z.object({ n: z.int() }), handler: () => 1 });
 * console.assert(inputJsonSchema(task).type === "object");
 * ```
 */
export function inputJsonSchema(task: Pick<Task, "input">): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(task.input, {
    io: "input",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return schema;
}

/**
 * Documents `POST /tasks/{name}` for every task of `registry` in `app`'s OpenAPI document.
 *
 * @example
 * ```ts ignore
 * taskOperations(app, registry);
 * ```
 */
export function taskOperations(app: OpenAPIHono, registry: Registry): void {
  for (const task of registry.list()) {
    app.openAPIRegistry.registerPath({
      method: "post",
      path: `/tasks/${task.name}`,
      operationId: `enqueue_${task.name}`,
      tags: ["tasks"],
      summary: `Enqueue a ${task.name} job; the body is its input`,
      ...(task.description ? { description: task.description } : {}),
      request: {
        query: EnqueueQuery,
        body: {
          required: true,
          content: { "application/json": { schema: inputJsonSchema(task) } },
        },
      },
      responses: enqueueResponses("Invalid options or input"),
    });
  }
}
