/**
 * `/ui/events`: a Server-Sent Events stream that says `change` whenever the store's counts,
 * workers, paused queues or schedules differ from the last look, so open pages refresh
 * themselves. One {@linkcode LiveFeed} per app looks (every {@linkcode EVENTS_POLL_MS},
 * only while a stream is open) for every stream at once; a page showing a job (`?job=`)
 * also follows it through the shared `JobWatcher`. Reading the store, not listening in
 * process, is what lets changes made by other worker processes reach the page.
 *
 * @example
 * ```ts ignore
 * const feed = new LiveFeed(deps, ["nightly"]);
 * app.get("/ui/events", (c) => feed.stream(c));
 * ```
 * @module
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { Clock } from "../../clock.ts";
import { isJobId } from "../../ids.ts";
import type { Store } from "../../store/store.ts";
import { JobWatcher } from "../job_watcher.ts";
import { keepAlive } from "../routes/events.ts";
import type { StreamSlots } from "../stream_slots.ts";
import { workerList } from "../../presence/worker_registry.ts";
import { pausedQueues } from "../../guards/queue_pauses.ts";
import { scheduleGetMany } from "../../scheduler/schedule_records.ts";

/** How often the feed looks at the store while a stream is open. */
export const EVENTS_POLL_MS = 500;

/** What the pages show that can change: counts, workers, pauses, schedule runs. */
async function fingerprint(store: Store, now: number, schedules: string[]): Promise<string> {
  const [counts, workers, paused, runs] = await Promise.all([
    store.queueCounts(),
    workerList(store, { now }),
    pausedQueues(store),
    schedules.length > 0 ? scheduleGetMany(store, { names: schedules }) : [],
  ]);
  return JSON.stringify([
    counts,
    workers.map((w) => [w.id, w.running, w.runningJobIds]),
    paused,
    runs,
  ]);
}

/** The dashboard's change feed, shared by every open `/ui/events` stream of one app. */
export class LiveFeed {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #streams: StreamSlots;
  readonly #schedules: string[];
  readonly #watcher: JobWatcher;
  readonly #listeners = new Set<() => void>();
  #running = false;

  constructor(
    deps: { store: Store; clock: Clock; streams: StreamSlots },
    schedules: string[] = [],
  ) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#streams = deps.streams;
    this.#schedules = schedules;
    this.#watcher = new JobWatcher(deps.store, deps.clock);
  }

  /** Streams `change` events until the client goes away; `?job=<id>` also watches that job. */
  stream(c: Context): Response {
    const release = this.#streams.take();
    if (!release) return this.#streams.busy(c);
    const id = c.req.query("job");
    return streamSSE(c, async (stream) => {
      const closed = new AbortController();
      let changed = false;
      let wake = () => {};
      const notify = () => {
        changed = true;
        wake();
      };
      stream.onAbort(() => {
        closed.abort();
        wake();
      });
      this.#listeners.add(notify);
      let unwatch = () => {};
      try {
        const job = id && isJobId(id) ? await this.#store.jobGet(id) : null;
        if (job) unwatch = this.#watcher.watch(job.id, job.version, notify);
        if (!this.#running) {
          // The first look before "ready": a change after it is reported.
          this.#running = true;
          void this.#run(await this.#look().catch(() => undefined));
        }
        void keepAlive(stream, this.#clock, closed.signal);
        await stream.writeSSE({ event: "ready", data: "" });
        while (!closed.signal.aborted) {
          if (!changed) {
            await new Promise<void>((resolve) => (wake = resolve));
            continue;
          }
          changed = false;
          await stream.writeSSE({ event: "change", data: "" });
        }
      } finally {
        closed.abort();
        this.#listeners.delete(notify);
        unwatch();
        release();
      }
    });
  }

  #look(): Promise<string> {
    return fingerprint(this.#store, this.#clock.now(), this.#schedules);
  }

  async #run(first: string | undefined): Promise<void> {
    this.#running = true;
    try {
      let last = first;
      while (this.#listeners.size > 0) {
        await this.#clock.sleep(EVENTS_POLL_MS);
        if (this.#listeners.size === 0) break;
        let now: string;
        try {
          now = await this.#look();
        } catch {
          continue; // The store is out of reach: look again next time.
        }
        if (last !== undefined && now !== last) this.#listeners.forEach((notify) => notify());
        last = now;
      }
    } finally {
      this.#running = false;
    }
  }
}
