/**
 * `GET /queues`: every queue with its jobs counted per state, as the store keeps them, and
 * its latency (`latency_ms`: the wait of its oldest ready job, 0 when none).
 *
 * @example
 * ```ts ignore
 * queueRoutes(app, deps);
 * const { queues } = await (await app.request("/queues")).json();
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { queueLatencies } from "../../metrics/queue_latency.ts";
import type { AppDeps } from "../app.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const count = z.int().min(0);
const QueueSchema = z.object({
  name: z.string(),
  deferred: count,
  queued: count,
  scheduled: count,
  started: count,
  waiting: count.openapi({ description: "Jobs waiting for an event (ctx.waitForEvent)" }),
  finished: count,
  failed: count,
  canceled: count,
  latency_ms: count.openapi({
    description: "How long the oldest ready job has waited since it became ready; 0 when none",
  }),
}).openapi("Queue");

const listRoute = createRoute({
  method: "get",
  path: "/queues",
  summary: "Every queue's jobs, counted per state",
  responses: {
    200: jsonResponse(z.object({ queues: z.array(QueueSchema) }), "Every queue"),
    ...errorResponses({ 503: "Store unavailable" }),
  },
});

/**
 * Adds `GET /queues` to `app`.
 *
 * @example
 * ```ts ignore
 * queueRoutes(app, deps);
 * ```
 */
export function queueRoutes(app: OpenAPIHono, { store, clock }: AppDeps): void {
  app.openapi(listRoute, async (c) => {
    const counts = await store.queueCounts();
    const latency = await queueLatencies(store, counts, clock.now());
    // Copied field by field: the API's shape must not change when a store adds a field.
    const queues = counts.map((
      { name, deferred, queued, scheduled, started, waiting, finished, failed, canceled },
    ) => ({
      name,
      deferred,
      queued,
      scheduled,
      started,
      waiting,
      finished,
      failed,
      canceled,
      latency_ms: latency.get(name) ?? 0,
    }));
    return c.json({ queues }, 200);
  });
}
