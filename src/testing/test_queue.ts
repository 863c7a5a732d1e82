/**
 * `createTestQueue`: tq inside a test. An in-memory store (no file) becomes the producer
 * that `task.enqueue()` uses; `drain()` runs a real worker on a {@linkcode FakeClock} until
 * nothing is left to run, moving the clock to each delayed job and retry instead of
 * sleeping, so a test of a whole workflow (children, flows, retries after backoff) takes
 * milliseconds.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "../registry/define_task.ts";
 * import { Registry } from "../registry/registry.ts";
 * import { createTestQueue } from "./test_queue.ts";
 * const double = defineTask({ name: "double", input: z.number(), handler: (n) => n * 2 });
 * await using queue = await createTestQueue({ registry: new Registry([double]) });
 * const job = await double.enqueue(21);
 * await queue.drain();
 * console.assert((await queue.getJob(job.id))?.result === 42);
 * ```
 * @module
 */
import { FakeClock } from "../clock.ts";
import type { Job } from "../job.ts";
import { silentLogger } from "../log.ts";
import { Producer } from "../producer.ts";
import { currentProducer, type EventToSend, useProducer } from "../registry/default_producer.ts";
import type { Registry } from "../registry/registry.ts";
import { runSchedule } from "../scheduler/run_schedule.ts";
import { compileSchedules, type Schedule, type ScheduleDefinition } from "../scheduler/schedule.ts";
import { openKvStore } from "../open_kv_store.ts";
import { LocalBell } from "../store/kv/local_bell.ts";
import { batchSettled } from "../store/batches.ts";
import { BATCH_CHECK_MS } from "../batches/batch_watcher.ts";
import { batchListOpen } from "../batches/batch_records.ts";
import type { Store } from "../store/store.ts";
import { registryQueues, Worker } from "../worker/worker.ts";
import { PROMOTE_MAX_SLEEP_MS } from "../maintenance/promoter.ts";
import { pausedQueues } from "../guards/queue_pauses.ts";

/** What {@linkcode createTestQueue} takes. */
export interface TestQueueOptions {
  registry: Registry;
  /** Recurring jobs, checked against the registry; `runSchedule(name)` enqueues one's job. */
  schedules?: readonly ScheduleDefinition[];
  /** The queue's time (a new `FakeClock` at 2026-01-01 by default). */
  clock?: FakeClock;
  /** Most handlers `drain()` runs at once (10). */
  concurrency?: number;
}

/** An in-memory tq for tests; `await using` closes it. */
export interface TestQueue extends AsyncDisposable {
  /** The in-memory store, for assertions beyond `getJob`. */
  readonly store: Store;
  /** The producer `task.enqueue()` goes through while the queue is open. */
  readonly producer: Producer;
  /** The fake clock of the store, the producer and the worker `drain()` runs. */
  readonly clock: FakeClock;
  /** The checked schedules. */
  readonly schedules: Schedule[];
  /**
   * Runs every job that is due, and every job that becomes due (children, dependants in a
   * flow, retries after their backoff, delayed jobs, a batch's completion job, jobs held by
   * a rate limit: the clock is moved forward to each), until none is queued, running or
   * scheduled (a `ctx.sleep` included). Jobs in a paused queue are left alone; a handler
   * that never ends keeps `drain()` waiting (the clock does not move while a job runs, so
   * timeouts never fire). Jobs waiting in `ctx.waitForEvent` are left waiting: send the
   * event (`sendEvent`) and drain again, or move the clock past the wait's timeout first.
   */
  drain(): Promise<void>;
  /** Sends an event to the waiting jobs (`ctx.waitForEvent`); answers how many it woke. */
  sendEvent(request: EventToSend): Promise<{ woken: number }>;
  /** The job's stored record, or null. */
  getJob(id: string): Promise<Job | null>;
  /** Enqueues the job of the schedule `name` now, as its cron tick would. */
  runSchedule(name: string): Promise<Job>;
  /** Closes the store and gives `task.enqueue()` back the producer it had before. */
  close(): Promise<void>;
}

/** Results and failures are kept as long as a test could want them (the clock moves). */
const KEEP_MS = 100 * 365 * 86_400_000;

/** Turns with ready jobs but no claim before fake time moves on (see `drain`). */
const STALL_TURNS = 10;
const HOUR_MS = 3_600_000;

/** A turn of the real event loop, for the store's I/O and the worker's loops. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1));
}

/**
 * Opens an in-memory queue and makes it the producer of `task.enqueue()`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "../registry/define_task.ts";
 * import { Registry } from "../registry/registry.ts";
 * import { createTestQueue } from "./test_queue.ts";
 * let calls = 0;
 * const flaky = defineTask({
 *   name: "flaky",
 *   input: z.object({}),
 *   retry: { maxAttempts: 3, backoff: { baseMs: 60_000 } },
 *   handler: () => {
 *     if (++calls < 3) throw new Error("upstream down");
 *     return "ok";
 *   },
 * });
 * const queue = await createTestQueue({ registry: new Registry([flaky]) });
 * const job = await flaky.enqueue({});
 * await queue.drain(); // two backoffs pass on the fake clock, none in real time
 * console.assert((await queue.getJob(job.id))?.attempts === 3);
 * await queue.close();
 * ```
 */
export async function createTestQueue(options: TestQueueOptions): Promise<TestQueue> {
  const { registry } = options;
  const clock = options.clock ?? new FakeClock();
  const schedules = compileSchedules(options.schedules ?? [], registry);
  const bell = new LocalBell(clock);
  const store = await openKvStore(":memory:", { clock, bell });
  const producer = new Producer({ store, registry, clock });
  let previous: ReturnType<typeof currentProducer> | undefined;
  try {
    previous = currentProducer();
  } catch {
    // none was set
  }
  useProducer(producer);

  /**
   * What is left, from one read of the counts: the queues a worker could claim from now
   * (not paused, something queued), and how many jobs are started or scheduled.
   */
  async function remaining(): Promise<{ ready: string[]; started: number; scheduled: number }> {
    const [counts, paused] = await Promise.all([store.queueCounts(), pausedQueues(store)]);
    const waiting = counts.reduce((sum, c) => sum + c.waiting, 0);
    // A wait whose timeout has come is due like a scheduled job; others wait for an event.
    const next = waiting > 0 ? await store.jobNextRunAt() : null;
    const timedOut = next !== null && next <= clock.now() ? 1 : 0;
    return {
      ready: counts.filter((c) => c.queued > 0 && !paused.includes(c.name)).map((c) => c.name),
      started: counts.reduce((sum, c) => sum + c.started, 0),
      scheduled: counts.reduce((sum, c) => sum + c.scheduled, timedOut),
    };
  }

  /** Moves the clock on and wakes the worker's claims, which wait on the store's bell. */
  function advance(ms: number): void {
    clock.advance(ms);
    bell.ring();
  }

  /** Whether a batch has ended whose completion the batch watcher has yet to enqueue. */
  async function batchPending(): Promise<boolean> {
    const open = await batchListOpen(store, { limit: 100 });
    return open.some(({ counts }) => batchSettled(counts));
  }

  async function drain(): Promise<void> {
    let worker: Worker | undefined;
    let served: string[] = [];
    let stalled = 0;
    let before = "";
    try {
      for (;;) {
        const { ready, started, scheduled } = await remaining();
        if (!worker || ready.some((queue) => !served.includes(queue))) {
          // A job in a queue the worker does not serve: a new worker that serves it too.
          await worker?.stop();
          served = [...new Set([...registryQueues(registry), ...served, ...ready])];
          worker = new Worker({
            store,
            registry,
            queues: served,
            clock,
            logger: silentLogger,
            concurrency: options.concurrency,
            resultTtlMs: KEEP_MS,
            failureTtlMs: KEEP_MS,
          });
          worker.start();
        }
        if (worker.running > 0 || started > 0) {
          stalled = 0;
        } else if (ready.length > 0) {
          // Ready jobs nobody claims: a rate limit's window to wait out (or a wake-up the
          // claims missed). Once the counts stop moving, time moves on, further each round.
          const now = JSON.stringify(ready);
          stalled = now === before ? stalled + 1 : 0;
          before = now;
          if (stalled >= STALL_TURNS) {
            advance(Math.min(2 ** (stalled - STALL_TURNS) * 1_000, HOUR_MS));
          }
        } else if (scheduled > 0) {
          stalled = 0;
          const next = await store.jobNextRunAt();
          // To the next due job; once it is due, on by the promoter's longest sleep, so the
          // promoter wakes whenever it went to sleep.
          if (next !== null) advance(Math.max(next - clock.now(), 0) || PROMOTE_MAX_SLEEP_MS);
        } else if (await batchPending()) {
          advance(BATCH_CHECK_MS); // the batch watcher's next look enqueues the completion
        } else {
          // Nothing left, unless the batch watcher completed a batch between the two reads
          // above: its completion job is then in the counts.
          const again = await remaining();
          if (again.ready.length + again.started + again.scheduled === 0) return;
        }
        await turn();
      }
    } finally {
      await worker?.stop();
    }
  }

  function close(): Promise<void> {
    useProducer(previous);
    store.close();
    return Promise.resolve();
  }

  return {
    store,
    producer,
    clock,
    schedules,
    drain,
    getJob: (id) => store.jobGet(id),
    sendEvent: (request) => producer.sendEvent(request),
    async runSchedule(name) {
      const schedule = schedules.find((s) => s.name === name);
      if (!schedule) throw new RangeError(`no schedule named "${name}"`);
      return (await runSchedule({ store, producer, schedule })).job;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
