/**
 * The `heavy` bench case (issue #13): what each isolation mode costs a no-op job, and how
 * many 200 ms CPU-bound jobs per second one worker runs with two slots in each mode. One
 * in-process `Worker` on a fresh KV file per measurement, the real clock, the tasks of
 * `heavy_tasks.ts` loaded by the threads and child processes. Each measurement starts
 * after a warm-up batch, so pools are already started.
 *
 * @example
 * ```sh
 * BENCH_ONLY=heavy deno task bench
 * ```
 * @module
 */
import { connect } from "../src/connect.ts";
import { taskContext } from "../src/worker/task_context.ts";
import type { Isolation } from "../src/registry/define_task.ts";
import { Worker } from "../src/worker/worker.ts";
import { registry } from "./heavy_tasks.ts";
import { Sandboxes } from "../src/isolation/sandboxes.ts";
import type { Job } from "../src/job.ts";

const TASKS_MODULE = new URL("./heavy_tasks.ts", import.meta.url);

/** One measurement's setting. */
export interface HeavyRun {
  isolation: Isolation;
  task: "noop" | "cpu";
  input: unknown;
  jobs: number;
  concurrency: number;
  /** With the lease keeper thread, as `tq worker` runs (default true). */
  keeper?: boolean;
}

/** Runs `jobs` jobs after a warm-up; resolves with the ms they took, enqueue to last end. */
export async function heavyRun(run: HeavyRun): Promise<number> {
  const dir = await Deno.makeTempDir();
  const connection = await connect({ registry, db: `${dir}/tq.db` });
  const worker = new Worker({
    store: connection.store,
    registry,
    isolation: run.isolation,
    tasksModule: TASKS_MODULE,
    concurrency: run.concurrency,
    storeLocation: run.keeper === false ? undefined : connection.location,
  });
  worker.start();
  let total = 0;
  const batch = async (n: number) => {
    const requests = Array.from({ length: n }, () => ({ task: run.task, input: run.input }));
    for (let i = 0; i < n; i += 250) {
      await connection.producer.enqueueMany(requests.slice(i, i + 250));
    }
    total += n;
    while (true) {
      const counts = (await connection.store.queueCounts()).find((q) => q.name === "default");
      if (counts?.failed) throw new Error("a bench job failed");
      if ((counts?.finished ?? 0) >= total) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  try {
    await batch(run.concurrency * 2);
    const started = performance.now();
    await batch(run.jobs);
    return performance.now() - started;
  } finally {
    await worker.stop();
    await connection.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * What handing one no-op job to a thread or process and getting its result back costs,
 * in microseconds: sequential calls to a warm pool, no store involved.
 */
export async function dispatchMicros(mode: "thread" | "process", calls: number) {
  const sandboxes = new Sandboxes({ tasksModule: TASKS_MODULE.href, maxIdle: 1 });
  const task = registry.get("noop");
  const ctx = taskContext({
    job: { id: "j", attempts: 1 },
    parents: {},
    signal: new AbortController().signal,
    log: () => {},
  });
  const job = { id: "j", input: {} } as Job;
  try {
    for (let i = 0; i < 20; i++) await sandboxes.run(mode, task, job, ctx);
    const started = performance.now();
    for (let i = 0; i < calls; i++) await sandboxes.run(mode, task, job, ctx);
    return ((performance.now() - started) * 1000) / calls;
  } finally {
    await sandboxes.stop();
  }
}

/** The figures of the heavy case, as rows of label and value. */
export async function heavyCase(): Promise<[string, string][]> {
  const rows: [string, string][] = [];
  const NOOP_JOBS = 3_000;
  const CPU_JOBS = 20;
  for (const mode of ["thread", "process"] as const) {
    const micros = await dispatchMicros(mode, 2_000);
    rows.push([`no-op handler round trip to a warm ${mode}, us/job`, micros.toFixed(0)]);
  }
  const noop = async (isolation: Isolation, keeper = true) => {
    const run = { isolation, task: "noop" as const, input: {}, jobs: NOOP_JOBS, keeper };
    return NOOP_JOBS / ((await heavyRun({ ...run, concurrency: 10 })) / 1000);
  };
  rows.push([
    `${NOOP_JOBS} no-op jobs, 10 slots, inline without lease keeper, jobs/s`,
    (await noop("inline", false)).toFixed(0),
  ]);
  for (const mode of ["inline", "thread", "process"] as const) {
    const label = `${NOOP_JOBS} no-op jobs, 10 slots, ${mode}` +
      (mode === "inline" ? " (default, lease keeper on)" : "");
    rows.push([`${label}, jobs/s`, (await noop(mode)).toFixed(0)]);
  }
  const rates: Record<string, number> = {};
  for (const mode of ["inline", "thread", "process"] as const) {
    const ms = await heavyRun({
      isolation: mode,
      task: "cpu",
      input: { ms: 200 },
      jobs: CPU_JOBS,
      concurrency: 2,
    });
    rates[mode] = CPU_JOBS / (ms / 1000);
    rows.push([`200 ms CPU job, two slots, ${mode}, jobs/s`, rates[mode].toFixed(2)]);
  }
  rows.push(["thread / inline, 200 ms CPU job", (rates.thread / rates.inline).toFixed(2)]);
  rows.push(["process / inline, 200 ms CPU job", (rates.process / rates.inline).toFixed(2)]);
  return rows;
}
