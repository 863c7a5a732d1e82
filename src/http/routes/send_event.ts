/**
 * `POST /events`: sends an event to the jobs waiting for it in `ctx.waitForEvent` (see
 * `src/steps/events.ts`) and keeps it for 24 h for jobs that reach their wait later. It
 * answers 202 with how many jobs it woke. Same token as `POST /jobs`.
 *
 * @example
 * ```ts ignore
 * sendEventRoutes(app, deps);
 * await app.request("/events", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ event: "order.approved", key: "o1", data: { by: "ana" } }),
 * }); // 202 {"woken":1}
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppDeps } from "../app.ts";
import { jsonBody } from "../json_body.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";
import { MAX_EVENT_DATA_BYTES, MAX_EVENT_TEXT, sendEventTo } from "../../steps/events.ts";

const EventBody = z.strictObject({
  event: z.string().min(1).max(MAX_EVENT_TEXT).openapi({ example: "order.approved" }),
  key: z.string().max(MAX_EVENT_TEXT).optional()
    .openapi({ example: "o1", description: "Waits match it exactly; absent matches absent" }),
  data: z.unknown().optional().openapi({
    description: `JSON handed to the waiting handlers (at most ${MAX_EVENT_DATA_BYTES} bytes; ` +
      "{} if absent; not null, which is what a wait that times out gets)",
  }),
}).openapi("Event");

const sendRoute = createRoute({
  method: "post",
  path: "/events",
  summary: "Send an event to the jobs waiting for it (ctx.waitForEvent)",
  middleware: [jsonBody] as const,
  request: {
    body: { required: true, content: { "application/json": { schema: EventBody } } },
  },
  responses: {
    202: jsonResponse(
      z.object({ woken: z.int() }).openapi("EventSent"),
      "Kept for 24 h for later waits; `woken` jobs were waiting for it",
    ),
    ...errorResponses({ 422: "Invalid event" }),
  },
});

/**
 * Adds `POST /events` to `app`.
 *
 * @example
 * ```ts ignore
 * sendEventRoutes(app, deps);
 * ```
 */
export function sendEventRoutes(app: OpenAPIHono, { store, clock }: AppDeps): void {
  app.openapi(sendRoute, async (c) => {
    const sent = await sendEventTo(store, clock, c.req.valid("json"));
    return c.json(sent, 202);
  });
}
