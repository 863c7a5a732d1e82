/**
 * `GET /healthz`: 200 when the store answers a read and a write, else 503, for load
 * balancers and `docker healthcheck`.
 *
 * @example
 * ```ts ignore
 * healthRoutes(app, deps);
 * console.assert((await app.request("/healthz")).status === 200);
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { StoreUnavailableError, TqError } from "../../errors.ts";
import type { AppDeps } from "../app.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Whether the store is usable",
  security: [], // open even when tokens are on (require_token.ts OPEN_PATHS)
  responses: {
    200: jsonResponse(z.object({ status: z.literal("ok") }), "The store answers"),
    ...errorResponses({ 503: "The store does not answer" }),
  },
});

/**
 * Adds `GET /healthz` to `app`.
 *
 * @example
 * ```ts ignore
 * healthRoutes(app, deps);
 * ```
 */
export function healthRoutes(app: OpenAPIHono, { store }: AppDeps): void {
  app.openapi(healthRoute, async (c) => {
    try {
      await store.ping();
    } catch (error) {
      // Whatever broke inside the store, a health check reports it as unavailable, not 500.
      if (error instanceof TqError) throw error;
      throw new StoreUnavailableError(`store ping failed: ${(error as Error).message}`);
    }
    return c.json({ status: "ok" as const }, 200);
  });
}
