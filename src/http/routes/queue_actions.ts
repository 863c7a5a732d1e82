/**
 * `POST /queues/{name}/pause` and `/resume`: workers stop (or start again) claiming from a
 * queue, in every process within `PAUSE_REFRESH_MS`; producers can still enqueue to it.
 *
 * @example
 * ```ts ignore
 * queueActionRoutes(app, deps);
 * await app.request("/queues/videos/pause", { method: "POST" });
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppDeps } from "../app.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";
import { QueuePauses } from "../../guards/queue_pauses.ts";

const QueueName = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "1-64 letters, digits, _ . or -")
    .openapi({ param: { name: "name", in: "path" }, example: "videos" }),
});

const PauseState = z.object({ name: z.string(), paused: z.boolean() }).openapi("QueuePause");

function actionRoute(action: "pause" | "resume") {
  return createRoute({
    method: "post",
    path: `/queues/{name}/${action}`,
    summary: action === "pause"
      ? "Stop workers claiming from a queue (enqueues still happen)"
      : "Let workers claim from a paused queue again",
    request: { params: QueueName },
    responses: {
      200: jsonResponse(PauseState, "The queue's pause state"),
      ...errorResponses({ 422: "Invalid queue name", 503: "Store unavailable" }),
    },
  });
}

/**
 * Adds the queue pause and resume routes to `app`.
 *
 * @example
 * ```ts ignore
 * queueActionRoutes(app, deps);
 * ```
 */
export function queueActionRoutes(app: OpenAPIHono, { store, clock }: AppDeps): void {
  for (const action of ["pause", "resume"] as const) {
    app.openapi(actionRoute(action), async (c) => {
      const { name } = c.req.valid("param");
      await QueuePauses.of(store, clock).set({ queue: name, paused: action === "pause" });
      return c.json({ name, paused: action === "pause" }, 200);
    });
  }
}
