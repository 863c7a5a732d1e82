/**
 * `deno task bench`: tq's throughput and latency on this machine, printed as a Markdown
 * table for docs/benchmarks.md. Every server it starts listens on 127.0.0.1 and is
 * stopped at the end; every loop is bounded.
 *
 * - enqueue rate, one job per commit and in batches of 300 (in process);
 * - end-to-end no-op jobs/s from a full queue with two `tq worker` processes;
 * - p50/p99 enqueue→start latency across processes with one idle worker;
 * - KV commits and reads per job, counted in process.
 * @module
 */
import { registry } from "../tasks/mod.ts";
import { connect } from "../src/connect.ts";
import { silentLogger } from "../src/log.ts";
import { Worker } from "../src/worker/mod.ts";
import { eventually, tempDb, TqProcess } from "../tests/integration/tq_process.ts";
import { countKvCalls, percentile, timed } from "./measure.ts";

const E2E_JOBS = Number(Deno.env.get("BENCH_E2E_JOBS") ?? 20_000);
const LATENCY_SAMPLES = 200;
const rows: [string, string][] = [];
const report = (name: string, value: string) => {
  rows.push([name, value]);
  console.error(`${name}: ${value}`);
};

async function benchEnqueue(): Promise<void> {
  const { db, cleanup } = await tempDb();
  const tq = await connect({ registry, db });
  const single = 2_000;
  const ms = await timed(async () => {
    for (let i = 0; i < single; i++) await tq.producer.enqueue({ task: "noop", input: {} });
  });
  report("enqueue, one job per commit", `${Math.round(single / ms * 1000)} jobs/s`);
  const batches = 50;
  const batchMs = await timed(async () => {
    for (let b = 0; b < batches; b++) {
      await tq.producer.enqueueMany(
        Array.from({ length: tq.store.maxInsertBatch }, () => ({ task: "noop", input: {} })),
      );
    }
  });
  const batched = batches * tq.store.maxInsertBatch;
  report(
    `enqueue, batches of ${tq.store.maxInsertBatch}`,
    `${Math.round(batched / batchMs * 1000)} jobs/s`,
  );
  tq.close();
  await cleanup();
}

async function fill(db: string, jobs: number): Promise<void> {
  const tq = await connect({ registry, db });
  for (let done = 0; done < jobs; done += tq.store.maxInsertBatch) {
    const size = Math.min(tq.store.maxInsertBatch, jobs - done);
    await tq.producer.enqueueMany(
      Array.from({ length: size }, () => ({ task: "noop", input: {} })),
    );
  }
  tq.close();
}

async function benchEndToEnd(): Promise<void> {
  const { db, cleanup } = await tempDb();
  await fill(db, E2E_JOBS);
  const env = { TQ_LOG_LEVEL: "warn" };
  const workers = [0, 1].map(() =>
    TqProcess.start(["worker", "default", "--concurrency", "100", "--db", db], env)
  );
  const tq = await connect({ registry, db });
  try {
    await eventually(
      async () => {
        const [counts] = await tq.store.queueCounts();
        return counts.finished === E2E_JOBS;
      },
      300_000,
      "every job to finish",
    );
    let first = Infinity, last = 0;
    for (let cursor: string | undefined, more = true; more;) {
      const page = await tq.store.jobList({ state: "finished", limit: 500, cursor });
      for (const job of page.jobs) {
        first = Math.min(first, job.startedAt!);
        last = Math.max(last, job.endedAt!);
      }
      cursor = page.nextCursor;
      more = cursor !== undefined;
    }
    report(
      `end to end, ${E2E_JOBS} no-op jobs, 2 worker processes`,
      `${Math.round(E2E_JOBS / (last - first) * 1000)} jobs/s`,
    );
  } finally {
    tq.close();
    await Promise.all(workers.map((w) => w.stop()));
    await cleanup();
  }
}

async function benchLatency(): Promise<void> {
  const { db, cleanup } = await tempDb();
  const worker = TqProcess.start(["worker", "default", "--db", db], { TQ_LOG_LEVEL: "info" });
  const tq = await connect({ registry, db });
  try {
    await worker.waitForLine((line) => line.event === "worker:started");
    const ids: string[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      ids.push((await tq.producer.enqueue({ task: "noop", input: {} })).id);
      await new Promise((resolve) => setTimeout(resolve, 20));
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
    report("enqueue→start across processes, p50", `${percentile(waits, 50)} ms`);
    report("enqueue→start across processes, p99", `${percentile(waits, 99)} ms`);
  } finally {
    tq.close();
    await worker.stop();
    await cleanup();
  }
}

async function benchKvCallsPerJob(): Promise<void> {
  const { db, cleanup } = await tempDb();
  const jobs = 3_000;
  const tq = await connect({ registry, db });
  const worker = new Worker({ store: tq.store, registry, concurrency: 100, logger: silentLogger });
  const calls = await countKvCalls(async () => {
    for (let done = 0; done < jobs; done += tq.store.maxInsertBatch) {
      await tq.producer.enqueueMany(
        Array.from({ length: tq.store.maxInsertBatch }, () => ({ task: "noop", input: {} })),
      );
    }
    worker.start();
    await eventually(async () => (await tq.store.queueCounts())[0]?.finished === jobs, 60_000);
    await worker.stop();
  });
  const perJob = (n: number) => (n / jobs).toFixed(3);
  report(
    "KV round-trips per job (batched enqueue + worker, in process)",
    `${perJob(calls.commits)} commits, ${perJob(calls.reads)} reads (incl. idle polling)`,
  );
  tq.close();
  await cleanup();
}

await benchEnqueue();
await benchEndToEnd();
await benchLatency();
await benchKvCallsPerJob();

const cpu = (await Deno.readTextFile("/proc/cpuinfo")).match(/model name\s*:\s*(.*)/)?.[1];
console.log(
  `\n${
    new Date().toISOString().slice(0, 10)
  }, ${navigator.hardwareConcurrency} cores (${cpu}), Deno ${Deno.version.deno}\n`,
);
console.log("| measure | value |\n| --- | --- |");
for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
