/**
 * `POST /queues/{name}/retry-failed`: queues every failed job of a queue again.
 *
 * @example
 * ```ts ignore
 * queueRetryRoutes(app, deps);
 * await app.request("/queues/mail/retry-failed", { method: "POST" });
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { retryFailed } from "../../queue_retry.ts";
import type { AppDeps } from "../app.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

/** Path of the routes about one queue. */
export const QueueNameParams = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "1-64 letters, digits, _ . or -").openapi({
    param: { name: "name", in: "path" },
    example: "default",
  }),
});

const retryFailedRoute = createRoute({
  method: "post",
  path: "/queues/{name}/retry-failed",
  summary: "Queue every failed job of a queue again, with a fresh attempt budget",
  request: { params: QueueNameParams },
  responses: {
    200: jsonResponse(z.object({ retried: z.int().min(0) }), "How many jobs were queued"),
    ...errorResponses({ 422: "Invalid queue name", 503: "Store unavailable" }),
  },
});

/**
 * Adds `POST /queues/{name}/retry-failed` to `app`.
 *
 * @example
 * ```ts ignore
 * queueRetryRoutes(app, deps);
 * ```
 */
export function queueRetryRoutes(app: OpenAPIHono, { store, clock }: AppDeps): void {
  app.openapi(retryFailedRoute, async (c) => {
    const { name } = c.req.valid("param");
    return c.json(await retryFailed(store, { queue: name, now: clock.now() }), 200);
  });
}
