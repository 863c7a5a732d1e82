/**
 * The same handlers in every isolation mode (`inline`, `thread`, `process`): the context
 * works alike, stop reasons are typed, a handler ignoring its signal is ended at its
 * timeout, and a runner that dies fails only its own attempt. Real worker, real KV file,
 * real threads and child processes, loaded from `tests/fixtures/heavy_tasks.ts`.
 */
import { assert, assertEquals } from "../assert.ts";
import { connect, type Connection } from "../../src/connect.ts";
import type { Isolation } from "../../src/registry/define_task.ts";
import type { Job } from "../../src/job.ts";
import { Worker } from "../../src/worker/worker.ts";
import { changeJob } from "../../src/job_changes.ts";
import { cancelJob } from "../../src/transitions/mod.ts";
import { registry } from "../fixtures/heavy_tasks.ts";
import { taskHoldList } from "../../src/guards/task_holds.ts";

const TASKS_MODULE = new URL("../fixtures/heavy_tasks.ts", import.meta.url);

interface Setup extends AsyncDisposable {
  connection: Connection;
  worker: Worker;
  enqueue(task: string, input: unknown, options?: Record<string, unknown>): Promise<string>;
  ended(id: string, timeoutMs?: number): Promise<Job>;
}

async function setup(isolation: Isolation, shutdownTimeoutMs = 5_000): Promise<Setup> {
  const dir = await Deno.makeTempDir();
  const connection = await connect({ registry, db: `${dir}/tq.db` });
  const worker = new Worker({
    store: connection.store,
    registry,
    isolation,
    tasksModule: TASKS_MODULE,
    concurrency: 4,
    leaseMs: 2_000,
    shutdownTimeoutMs,
    storeLocation: connection.location,
  });
  worker.start();
  return {
    connection,
    worker,
    enqueue: async (task, input, options = {}) =>
      (await connection.producer.enqueue({ task, input, ...options })).id,
    // Generous: under `deno test` the first thread of a run type-checks its module graph as
    // it starts, which took over 15 s at load 14 (the job stayed `started`, attempt 1).
    async ended(id, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let job: Job | null = null;
      while (Date.now() < deadline) {
        job = await connection.store.jobGet(id);
        if (job && ["finished", "failed", "canceled"].includes(job.state)) return job;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const { state, attempts, runAt } = job ?? {};
      const late = runAt === undefined ? "" : `, due ${Date.now() - runAt} ms ago`;
      throw new Error(
        `job ${id} did not end in ${timeoutMs} ms: ${state}, ${attempts} attempts${late}`,
      );
    },
    async [Symbol.asyncDispose]() {
      await worker.stop();
      await connection.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

for (const mode of ["inline", "thread", "process"] as const) {
  Deno.test(`${mode}: the context has the job, attempt, parents, log, progress and enqueue`, async () => {
    await using fx = await setup(mode);
    const id = await fx.enqueue("contextual", { child: true, fail: true });
    const job = await fx.ended(id);
    assertEquals(job.state, "finished", JSON.stringify(job.errors));
    const result = job.result as Record<string, unknown>;
    assertEquals([result.jobId, result.attempt, result.parents, result.aborted], [
      id,
      2,
      {},
      false,
    ]);
    assertEquals(job.errors[0].message, "first attempt fails");
    assertEquals(job.errors[0].name, "TypeError");
    const child = await fx.ended(result.child as string);
    assertEquals(child.state, "finished");
  });

  Deno.test(`${mode}: ctx.signal.reason is a JobStopped that says timeout`, async () => {
    await using fx = await setup(mode);
    const job = await fx.ended(await fx.enqueue("patient", {}));
    assertEquals(job.state, "failed");
    assertEquals(job.errors[0].name, "TimeoutError");
    assertEquals(job.errors[0].message, "timed out after 500 ms");
  });
}

for (const mode of ["thread", "process"] as const) {
  Deno.test(`${mode}: a handler ignoring its signal is ended at its timeout`, async () => {
    await using fx = await setup(mode);
    const startedAt = Date.now();
    const stuck = await fx.ended(await fx.enqueue("stubborn", {}));
    assertEquals([stuck.state, stuck.errors[0].name], ["failed", "TimeoutError"]);
    assert(Date.now() - startedAt < 5_000, "stopped near its 1 s timeout");
    // Its runner was ended: the worker goes on with the next job.
    assertEquals((await fx.ended(await fx.enqueue("nothing", {}))).state, "finished");
  });

  Deno.test(`${mode}: a cancel ends the job of a handler that ignores its signal`, async () => {
    await using fx = await setup(mode);
    const ticks = await Deno.makeTempFile();
    try {
      const id = await fx.enqueue("ticker", { path: ticks });
      while ((await Deno.readTextFile(ticks)).length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await changeJob(
        fx.connection.store,
        id,
        (job) => cancelJob(job, { now: Date.now(), reason: "user asked", ttlMs: 60_000 }),
      );
      const canceled = await fx.ended(id);
      assertEquals([canceled.state, canceled.cancelReason], ["canceled", "user asked"]);
      // The next job runs: the stopped runner's slot is free again.
      assertEquals((await fx.ended(await fx.enqueue("nothing", {}))).state, "finished");
      // Deno 2.9.6 cannot stop a thread that never yields (worker.terminate() leaves it
      // computing, denoland/deno#35657): only a child process is sure to be gone.
      if (mode === "process") {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const after = (await Deno.readTextFile(ticks)).length;
        await new Promise((resolve) => setTimeout(resolve, 300));
        assertEquals((await Deno.readTextFile(ticks)).length, after, "the handler still runs");
      }
    } finally {
      await Deno.remove(ticks);
    }
  });

  Deno.test(`${mode}: a job still running at shutdown goes back to its queue, no attempt used`, async () => {
    await using fx = await setup(mode, 300);
    const id = await fx.enqueue("stubborn", {});
    while ((await fx.connection.store.jobGet(id))?.state !== "started") {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // its handler is computing
    await fx.worker.stop();
    const job = (await fx.connection.store.jobGet(id))!;
    assertEquals([job.state, job.attempts, job.errors], ["queued", 0, []]);
  });

  Deno.test(`${mode}: a RateLimitedError from the handler defers its job and holds its task`, async () => {
    await using fx = await setup(mode);
    const id = await fx.enqueue("limited", {});
    let job = await fx.connection.store.jobGet(id);
    while (job?.deferrals !== 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      job = await fx.connection.store.jobGet(id);
    }
    assertEquals([job.state, job.attempts, job.errors], ["scheduled", 0, []]);
    assert(job.runAt >= Date.now() + 50_000);
    const holds = await taskHoldList(fx.connection.store, { now: Date.now() });
    assertEquals(holds.map((hold) => [hold.task, hold.until]), [["limited", job.runAt]]);
  });

  Deno.test(`${mode}: a durable step fails the job at once, saying steps need inline`, async () => {
    await using t = await setup(mode);
    const job = await t.ended(await t.enqueue("stepper", {}));
    assertEquals([job.state, job.attempts], ["failed", 1]);
    assert(job.errors[0].message.includes('isolation: "inline"'), job.errors[0].message);
  });

  Deno.test(`${mode}: Deno.exit in a handler fails that attempt only`, async () => {
    await using fx = await setup(mode);
    const quit = await fx.ended(await fx.enqueue("quit", { code: 3 }));
    assertEquals(quit.state, "failed");
    assertEquals(quit.errors[0].message, "exited with code 3");
    assertEquals((await fx.ended(await fx.enqueue("nothing", {}))).state, "finished");
  });
}

Deno.test("process: a handler past its memory limit fails with out of memory; others finish", async () => {
  await using fx = await setup("inline");
  const hog = await fx.enqueue("hog", {});
  const others = await Promise.all([1, 2, 3].map(() => fx.enqueue("nothing", {})));
  const failed = await fx.ended(hog, 30_000);
  assertEquals(failed.state, "failed");
  assertEquals(failed.errors[0].message, "out of memory at 64 MB");
  for (const id of others) assertEquals((await fx.ended(id)).state, "finished");
  assertEquals((await fx.ended(await fx.enqueue("nothing", {}))).state, "finished");
});

Deno.test("thread: a task's permissions bind its thread", async () => {
  await using fx = await setup("inline");
  const job = await fx.ended(await fx.enqueue("reader", { path: "deno.json" }));
  assertEquals(job.state, "failed");
  assert(/NotCapable|PermissionDenied/.test(job.errors[0].name), job.errors[0].name);
  assert(job.errors[0].message.includes("deno.json"), job.errors[0].message);
});

Deno.test("process: a task's permissions bind its child", async () => {
  await using fx = await setup("inline");
  const job = await fx.ended(await fx.enqueue("child_reader", { path: "deno.json" }));
  assertEquals(job.state, "failed");
  assert(/NotCapable|PermissionDenied/.test(job.errors[0].name), job.errors[0].name);
  assert(job.errors[0].message.includes("deno.json"), job.errors[0].message);
});
