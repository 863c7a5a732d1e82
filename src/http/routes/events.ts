/**
 * `GET /jobs/{id}/events`: a job's changes as Server-Sent Events. The first `state` event
 * carries the job JSON at once; then another `state` event follows whenever the job JSON
 * changed (state, progress, errors), and the stream ends after the event of a terminal
 * state (or a `deleted` event). Streams learn of changes from one {@linkcode JobWatcher}
 * per app, which reads every watched job with one store read per tick however many
 * streams follow it, and reads an unchanged job less and less often (100 ms up to 1 s).
 * A comment line every 15 s keeps proxies from closing a quiet stream; the watch stops as
 * soon as the client goes away. Open streams are capped (`stream_slots.ts`: 503 beyond).
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
import type { Clock } from "../../clock.ts";
import { isTerminal, type Job } from "../../job.ts";
import { readJob } from "../../job_changes.ts";
import type { AppDeps } from "../app.ts";
import { jobJson } from "../../job_json.ts";
import { JobWatcher } from "../job_watcher.ts";
import { errorResponses, JobIdParams } from "../schemas.ts";

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
    ...errorResponses({
      404: "No such job",
      503: "Too many event streams open (`--max-streams`); `Retry-After` says when to retry",
    }),
  },
});

/** Writes a comment line every {@linkcode JOB_EVENTS_KEEPALIVE_MS} until `signal` aborts. */
export async function keepAlive(
  stream: { write(text: string): Promise<unknown> },
  clock: Clock,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    await clock.sleep(JOB_EVENTS_KEEPALIVE_MS, signal);
    if (signal.aborted) break;
    await stream.write(": keep-alive\n\n").catch(() => {});
  }
}

/**
 * Adds `GET /jobs/{id}/events` to `app`.
 *
 * @example
 * ```ts ignore
 * jobEventRoutes(app, deps);
 * ```
 */
export function jobEventRoutes(app: OpenAPIHono, { store, clock, streams }: AppDeps): void {
  const watcher = new JobWatcher(store, clock);
  app.openapi(eventsRoute, async (c) => {
    const first = await readJob(store, c.req.valid("param").id);
    const release = streams.take();
    if (!release) return streams.busy(c) as never;
    return streamSSE(c, async (stream) => {
      // Changes arrive from the watcher into a one-slot mailbox: only the latest matters.
      let latest: Job | null | undefined;
      let wake = () => {};
      const gone = new AbortController();
      stream.onAbort(() => {
        gone.abort();
        wake();
      });
      const stop = isTerminal(first.state) ? () => {} : watcher.watch(
        first.id,
        first.version,
        (job) => {
          latest = job;
          wake();
        },
      );
      void keepAlive(stream, clock, gone.signal);
      try {
        let sent = JSON.stringify(jobJson(first));
        await stream.writeSSE({ event: "state", data: sent });
        let ended = isTerminal(first.state);
        while (!ended && !gone.signal.aborted) {
          if (latest === undefined) {
            await new Promise<void>((resolve) => (wake = resolve));
            continue;
          }
          const job = latest;
          latest = undefined;
          if (!job) {
            await stream.writeSSE({ event: "deleted", data: JSON.stringify({ id: first.id }) });
            break;
          }
          const data = JSON.stringify(jobJson(job));
          ended = isTerminal(job.state);
          if (data !== sent) {
            sent = data;
            await stream.writeSSE({ event: "state", data });
          }
        }
      } finally {
        gone.abort();
        stop();
        release();
      }
    });
  });
}
