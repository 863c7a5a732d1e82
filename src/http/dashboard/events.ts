/**
 * `/ui/events`: a Server-Sent Events stream that says `change` whenever the store's counts,
 * workers, paused queues or schedules differ from the last look (checked every
 * {@linkcode EVENTS_POLL_MS}), so open pages refresh themselves. Polling the store, not
 * listening in process, is what lets changes made by other worker processes reach the page.
 *
 * @example
 * ```ts ignore
 * app.get("/ui/events", (c) => liveEvents(c, store, clock, ["nightly"]));
 * ```
 * @module
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { Clock } from "../../clock.ts";
import { isJobId } from "../../ids.ts";
import type { Store } from "../../store/store.ts";

/** How often the stream looks at the store. */
export const EVENTS_POLL_MS = 500;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/** What a page watches beyond the counts: the schedules, and the job it shows. */
interface Watched {
  schedules: string[];
  job?: string;
}

/** What the pages show that can change: counts, workers, pauses, schedule runs, the job. */
async function fingerprint(store: Store, now: number, watched: Watched): Promise<string> {
  const { schedules, job } = watched;
  const [counts, workers, paused, runs, record] = await Promise.all([
    store.queueCounts(),
    store.workerList({ now }),
    store.queuePausedList(),
    schedules.length > 0 ? store.scheduleGetMany({ names: schedules }) : [],
    job ? store.jobGet(job) : null,
  ]);
  return JSON.stringify([
    counts,
    workers.map((w) => [w.id, w.running, w.runningJobIds]),
    paused,
    runs,
    record?.version,
  ]);
}

/**
 * Streams `change` events until the client goes away; `?job=<id>` also watches that job.
 *
 * @example
 * ```ts ignore
 * app.get("/ui/events", (c) => liveEvents(c, store, clock, schedules.map((s) => s.name)));
 * ```
 */
export function liveEvents(
  c: Context,
  store: Store,
  clock: Clock,
  schedules: string[] = [],
): Response {
  const job = c.req.query("job");
  const watched = { schedules, job: job && isJobId(job) ? job : undefined };
  return streamSSE(c, async (stream) => {
    const closed = new AbortController();
    stream.onAbort(() => closed.abort());
    let last = await fingerprint(store, clock.now(), watched);
    let quiet = 0;
    await stream.writeSSE({ event: "ready", data: "" });
    while (!closed.signal.aborted) {
      await clock.sleep(EVENTS_POLL_MS, closed.signal);
      if (closed.signal.aborted) break;
      const now = await fingerprint(store, clock.now(), watched);
      if (now !== last) {
        last = now;
        quiet = 0;
        await stream.writeSSE({ event: "change", data: "" });
      } else if ((quiet += EVENTS_POLL_MS) >= KEEPALIVE_MS) {
        quiet = 0;
        await stream.write(": keep-alive\n\n");
      }
    }
  });
}
