/**
 * `GET /metrics`: Prometheus metrics of every process sharing the store (see
 * `src/metrics/collect.ts`), in the text exposition format.
 *
 * @example
 * ```ts ignore
 * metricsRoutes(app, deps);
 * const text = await (await app.request("/metrics")).text();
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { collectMetrics } from "../../metrics/collect.ts";
import { exposition, EXPOSITION_CONTENT_TYPE } from "../../metrics/exposition.ts";
import type { AppDeps } from "../app.ts";
import { errorResponses } from "../schemas.ts";

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  summary: "Prometheus metrics: job counters and histograms, jobs per state, workers",
  responses: {
    200: {
      description: "Prometheus text exposition format 0.0.4",
      content: { "text/plain": { schema: z.string() } },
    },
    ...errorResponses({ 503: "Store unavailable" }),
  },
});

/**
 * Adds `GET /metrics` to `app`.
 *
 * @example
 * ```ts ignore
 * metricsRoutes(app, deps);
 * ```
 */
export function metricsRoutes(app: OpenAPIHono, { store, clock, stats }: AppDeps): void {
  app.openapi(metricsRoute, async (c) => {
    await stats.flush();
    const text = exposition(await collectMetrics(store, clock.now()));
    return c.text(text, 200, { "content-type": EXPOSITION_CONTENT_TYPE });
  });
}
