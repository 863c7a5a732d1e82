/**
 * tq's side of each benchmark case, on any backend ({@linkcode TqPeer}): enqueue rates,
 * end to end with worker processes, enqueue→start latency, and claim cost against queue
 * length. Each returns the figures the BullMQ script of the same name returns.
 *
 * @example
 * ```ts ignore
 * const { rate, rssMb } = await tqEndToEnd(kvPeer, { jobs: 100_000, sleepMs: 0 });
 * ```
 * @module
 */
import { eventually, TQ_ARGS, TqProcess } from "../tests/integration/tq_process.ts";
import { CONFIG } from "./config.ts";
import { QueuePauses } from "../src/guards/queue_pauses.ts";
import { workerList } from "../src/presence/worker_registry.ts";
import { systemClock } from "../src/clock.ts";
import { percentile, rssMb, timed } from "./measure.ts";
import { allWorkersRate } from "./drain_window.ts";
import { fill, finishedCount, finishedJobs, open, type TqPeer } from "./tq_peer.ts";

/** Jobs per bulk call, for tq's `enqueueBatch` and BullMQ's `addBulk` alike. */
export const BULK_CALL_JOBS = 1_000;

/** Enqueue rates in jobs/s: awaited one at a time, many callers at once, and bulk. */
export async function tqEnqueue(peer: TqPeer) {
  const store = await peer.fresh();
  const tq = await open(store);
  try {
    const one = () => tq.producer.enqueue({ task: "noop", input: {} });
    const sequentialMs = await timed(async () => {
      for (let i = 0; i < CONFIG.singleJobs; i++) await one();
    });
    let left = CONFIG.concurrentJobs;
    const caller = async () => {
      while (left-- > 0) await one();
    };
    const concurrentMs = await timed(() =>
      Promise.all(Array.from({ length: CONFIG.callers }, caller))
    );
    // The bulk API, as many jobs per call as BullMQ's `addBulk` gets (it splits them into
    // commits the store takes), one call at a time.
    const bulkMs = await timed(async () => {
      for (let done = 0; done < CONFIG.bulkJobs; done += BULK_CALL_JOBS) {
        const requests = Array.from(
          { length: BULK_CALL_JOBS },
          () => ({ task: "noop", input: {} }),
        );
        await tq.producer.enqueueBatch({ requests });
      }
    });
    return {
      sequential: CONFIG.singleJobs / sequentialMs * 1000,
      concurrent: CONFIG.concurrentJobs / concurrentMs * 1000,
      bulk: CONFIG.bulkJobs / bulkMs * 1000,
    };
  } finally {
    await tq.close();
    await store.cleanup();
  }
}

/**
 * `tq worker` with no flags and no environment of its own, so at the default log level (two
 * lines a job); its lines go to /dev/null, as unread as a log shipper would leave them to this
 * bench, which must not spend the cores parsing them.
 */
function workerAsUsersRunIt(storeArgs: string[]): { pid: number; stop(): Promise<unknown> } {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...TQ_ARGS, "worker", ...storeArgs],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  return {
    pid: child.pid,
    stop() {
      child.kill("SIGTERM");
      return child.status;
    },
  };
}

/**
 * Fills the queue with `jobs`, starts `workers` worker processes (with `--concurrency` and
 * warnings only if given, else at `tq worker`'s defaults, log level included) and measures
 * jobs/s from the first finish seen to the last (polled every 20 ms), then each worker's
 * resident memory. With `startTogether` the filled queue stays paused until every worker
 * has registered, and the rate counts from the last worker's first start, from the finished
 * jobs' records (`allWorkersRate`): the later processes' start-up is no part of it.
 * `workersRan`: the workers that ran jobs.
 */
export async function tqEndToEnd(
  peer: TqPeer,
  { jobs, sleepMs, concurrency, workers: processes = CONFIG.workers, startTogether }: {
    jobs: number;
    sleepMs: number;
    concurrency?: number;
    workers?: number;
    startTogether?: boolean;
  },
) {
  const store = await peer.fresh();
  const tq = await open(store);
  await fill(tq, jobs, sleepMs, 4);
  if (startTogether) {
    await QueuePauses.of(tq.store, systemClock).set({ queue: "default", paused: true });
  }
  const workers = Array.from(
    { length: processes },
    () =>
      concurrency === undefined ? workerAsUsersRunIt(store.cliArgs) : TqProcess.start(
        ["worker", "default", "--concurrency", String(concurrency), ...store.cliArgs],
        { TQ_LOG_LEVEL: "warn" },
      ),
  );
  try {
    if (startTogether) {
      const registered = async () =>
        (await workerList(tq.store, { now: Date.now() })).length === processes;
      await eventually(registered, 60_000, "every worker to register");
      await QueuePauses.of(tq.store, systemClock).set({ queue: "default", paused: false });
    }
    let first: { at: number; finished: number } | undefined;
    for (;;) {
      const finished = await finishedCount(tq);
      const now = performance.now();
      if (finished > 0) first ??= { at: now, finished };
      if (finished >= jobs) {
        const memory = await Promise.all(workers.map((w) => rssMb(w.pid)));
        if (startTogether) {
          const { rate, workers: workersRan } = allWorkersRate(await finishedJobs(tq));
          return { rate, rssMb: memory, workersRan };
        }
        const rate = (jobs - first!.finished) / (now - first!.at) * 1000;
        return { rate, rssMb: memory, workersRan: processes };
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await tq.close();
    await Promise.all(workers.map((w) => w.stop()));
    await store.cleanup();
  }
}

/** p50/p99 from enqueue (`createdAt`) to start (`startedAt`) with one idle worker process. */
export async function tqLatency(peer: TqPeer) {
  const store = await peer.fresh();
  const worker = TqProcess.start(["worker", "default", ...store.cliArgs]);
  const tq = await open(store);
  try {
    await worker.waitForLine((line) => line.event === "worker:started");
    await new Promise((resolve) => setTimeout(resolve, 200)); // let it reach its idle wait
    const ids: string[] = [];
    for (let i = 0; i < CONFIG.latencySamples; i++) {
      ids.push((await tq.producer.enqueue({ task: "noop", input: {} })).id);
      await new Promise((resolve) => setTimeout(resolve, CONFIG.gapMs));
    }
    const jobs = await eventually(
      async () => {
        const jobs = await tq.store.jobGetMany(ids);
        return jobs.every((job) => job?.state === "finished") && jobs;
      },
      30_000,
      "the latency jobs to finish",
    );
    const waits = jobs.map((job) => job!.startedAt! - job!.createdAt);
    return { p50: percentile(waits, 50), p99: percentile(waits, 99) };
  } finally {
    await tq.close();
    await worker.stop();
    await store.cleanup();
  }
}

/**
 * Fills an empty store with `size` jobs and notes its bytes per queued job, then times
 * `samples` single enqueues and `samples` claims of one job each (each after 20 warm-up
 * calls) and returns the medians: what one more job costs at that queue length.
 */
export async function tqQueueCost(peer: TqPeer, size: number) {
  const store = await peer.fresh();
  const tq = await open(store);
  const medianMs = async (call: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = -20; i < CONFIG.claimSamples; i++) {
      const ms = await timed(call);
      if (i >= 0) times.push(ms);
    }
    return percentile(times, 50);
  };
  try {
    const before = await store.bytes();
    await fill(tq, size, 0, 4);
    const bytesPerJob = (await store.bytes() - before) / size;
    const enqueueMs = await medianMs(() => tq.producer.enqueue({ task: "noop", input: {} }));
    const params = { queues: ["default"], workerId: "bench", limit: 1, leaseMs: 60_000 };
    const claimMs = await medianMs(async () => {
      const claimed = await tq.store.jobClaim({ ...params, now: Date.now() });
      if (claimed.length !== 1) throw new Error("the queue ran dry");
    });
    return { claimMs, enqueueMs, bytesPerJob };
  } finally {
    await tq.close();
    await store.cleanup();
  }
}
