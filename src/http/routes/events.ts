/**
 * `GET /jobs/{id}/events`: a job's changes as Server-Sent Events. The first `state` event
 * carries the job JSON at once; then the stream looks at the store every
 * {@linkcode JOB_EVENTS_POLL_MS} and sends another `state` event whenever the job JSON
 * changed (state, progress, errors), and ends after the event of a terminal state (or a
 * `deleted` event). A comment line every 15 s keeps proxies from closing a quiet stream,
 * and polling stops as soon as the client goes away. Polling the store, rather than
 * listening in process, is what lets changes made by worker processes reach the stream.
 *
 * ```
 * event: state
 * data: {"id":"01J…","status":"started",…}
 * ```
 *
 * @example
 * ```ts ignore
 * jobEventRoutes(app, deps);
 * const res = await app.request(`/jobs/${id}/events`); // text/event-stream
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { isTerminal } from "../../job.ts";
import { readJob } from "../../job_changes.ts";
import type { AppDeps } from "../app.ts";
import { jobJson } from "../job_json.ts";
import { errorResponses, JobIdParams } from "../schemas.ts";

/** How often each stream reads its job. */
export const JOB_EVENTS_POLL_MS = 100;
/** A comment this often keeps an idle stream open through proxies. */
export const JOB_EVENTS_KEEPALIVE_MS = 15_000;

const eventsRoute = createRoute({
  method: "get",
  path: "/jobs/{id}/events",
  summary: "A job's changes as Server-Sent Events, until it ends",
  request: { params: JobIdParams },
  responses: {
    200: {
      description: "`event: state` with the job JSON now and on every change; ends after a " +
        "terminal state (`event: deleted` if the job is deleted meanwhile)",
      content: { "text/event-stream": { schema: z.string() } },
    },
    ...errorResponses({ 404: "No such job" }),
  },
});

/**
 * Adds `GET /jobs/{id}/events` to `app`.
 *
 * @example
 * ```ts ignore
 * jobEventRoutes(app, deps);
 * ```
 */
export function jobEventRoutes(app: OpenAPIHono, { store, clock }: AppDeps): void {
  app.openapi(eventsRoute, async (c) => {
    const first = await readJob(store, c.req.valid("param").id);
    return streamSSE(c, async (stream) => {
      const gone = new AbortController();
      stream.onAbort(() => gone.abort());
      let sent = JSON.stringify(jobJson(first));
      await stream.writeSSE({ event: "state", data: sent });
      let ended = isTerminal(first.state);
      let quietMs = 0;
      while (!ended && !gone.signal.aborted) {
        await clock.sleep(JOB_EVENTS_POLL_MS, gone.signal);
        if (gone.signal.aborted) break;
        const job = await store.jobGet(first.id);
        if (!job) {
          await stream.writeSSE({ event: "deleted", data: JSON.stringify({ id: first.id }) });
          break;
        }
        const data = JSON.stringify(jobJson(job));
        ended = isTerminal(job.state);
        if (data !== sent) {
          sent = data;
          quietMs = 0;
          await stream.writeSSE({ event: "state", data });
        } else if ((quietMs += JOB_EVENTS_POLL_MS) >= JOB_EVENTS_KEEPALIVE_MS) {
          quietMs = 0;
          await stream.write(": keep-alive\n\n");
        }
      }
    });
  });
}
