import { z } from "zod";
import { assert, assertEquals } from "../assert.ts";
import { JobStopped, UnrecoverableError } from "../../src/errors.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { failAttempt } from "../../src/transitions/mod.ts";
import { advance, advanceUntil, fixture, gate, task, waitFor, waitForJob } from "./helpers.ts";

Deno.test("worker runs a job and keeps its result for the result TTL", async () => {
  await using fx = await fixture([
    task("add", (input) => (input as number[]).reduce((a, b) => a + b)),
  ]);
  fx.worker({ resultTtlMs: 60_000 }).start();
  const job = await fx.enqueue("add", [1, 2, 3]);
  const done = await waitForJob(fx.store, job.id, (j) => j.state === "finished");
  assertEquals(done.result, 6);
  assertEquals(done.attempts, 1);
  assertEquals(done.expiresAt, done.endedAt! + 60_000);
});

Deno.test("worker retries a failed job with backoff", async () => {
  const flaky = task("flaky", (_input, ctx) => {
    if (ctx.attempt === 1) throw new Error("flaky upstream");
    return "ok";
  }, { retry: { maxAttempts: 3, backoff: { baseMs: 1_000, maxMs: 60_000 } } });
  await using fx = await fixture([flaky]);
  const worker = fx.worker();
  worker.start();
  const job = await fx.enqueue("flaky", {});
  const failedOnce = await waitForJob(fx.store, job.id, (j) => j.state === "scheduled");
  const [error] = failedOnce.errors;
  assertEquals([error.attempt, error.name, error.message], [1, "Error", "flaky upstream"]);
  assertEquals(error.workerId, worker.id);
  assert(error.stack?.includes("flaky upstream"));
  const delay = failedOnce.runAt - error.at;
  assert(delay >= 500 && delay <= 1_000, `backoff of the first retry is ${delay} ms`);
  const done = await advanceUntil(
    fx.clock,
    waitForJob(fx.store, job.id, (j) => j.state === "finished"),
    250,
  );
  assertEquals([done.attempts, done.result, done.errors.length], [2, "ok", 1]);
});

Deno.test("a job that always fails ends failed after max attempts", async () => {
  const broken = task("broken", () => {
    throw new TypeError("bad");
  }, { retry: { maxAttempts: 2, backoff: { baseMs: 100, maxMs: 100 } } });
  await using fx = await fixture([broken]);
  fx.worker({ failureTtlMs: 5_000 }).start();
  const job = await fx.enqueue("broken", {});
  const failed = await advanceUntil(
    fx.clock,
    waitForJob(fx.store, job.id, (j) => j.state === "failed"),
    100,
  );
  assertEquals(failed.attempts, 2);
  assertEquals(failed.errors.map((e) => [e.attempt, e.name]), [[1, "TypeError"], [2, "TypeError"]]);
  assertEquals(failed.expiresAt, failed.endedAt! + 5_000);
});

Deno.test("an UnrecoverableError fails the job without using its retries", async () => {
  const charge = task("charge", () => {
    throw new UnrecoverableError("card declined");
  }, { retry: { maxAttempts: 5 } });
  await using fx = await fixture([charge]);
  fx.worker().start();
  const job = await fx.enqueue("charge", {});
  const failed = await waitForJob(fx.store, job.id, (j) => j.state === "failed");
  assertEquals(failed.attempts, 1);
  assertEquals(failed.errors[0].name, "UnrecoverableError");
});

Deno.test("a handler that ignores the abort is still failed at its timeout", async () => {
  let signal: AbortSignal | undefined;
  const stuck = task("stuck", (_input, ctx) => {
    signal = ctx.signal;
    return new Promise(() => {});
  }, { timeout: 5_000, retry: { maxAttempts: 1 } });
  await using fx = await fixture([stuck]);
  fx.worker().start();
  const job = await fx.enqueue("stuck", {});
  await waitFor(() => signal !== undefined, "the handler to start");
  const failed = await advanceUntil(
    fx.clock,
    waitForJob(fx.store, job.id, (j) => j.state === "failed"),
    500,
  );
  assertEquals(failed.errors[0].name, "TimeoutError");
  assertEquals(failed.errors[0].message, "timed out after 5000 ms");
  assert(signal!.reason instanceof JobStopped);
  assertEquals(signal!.reason.cause, "timeout");
});

Deno.test("a result too large to store fails the job for good, asking for a reference", async () => {
  const huge = task("huge", () => "x".repeat(100_000), { retry: { maxAttempts: 3 } });
  await using fx = await fixture([huge]);
  fx.worker().start();
  const job = await fx.enqueue("huge", {});
  const failed = await waitForJob(fx.store, job.id, (j) => j.state === "failed");
  assertEquals(failed.attempts, 1);
  assertEquals(failed.errors[0].name, "PayloadTooLargeError");
  assert(failed.errors[0].message.includes("pass a reference"), failed.errors[0].message);
});

Deno.test("input that no longer matches the task's schema fails the job for good", async () => {
  const v1 = defineTask({ name: "greet", input: z.object({ name: z.string() }), handler: () => 1 });
  await using fx = await fixture([v1]);
  const job = await fx.enqueue("greet", { name: "Ada" });
  const v2 = defineTask({ name: "greet", input: z.object({ id: z.number() }), handler: () => 2 });
  fx.worker({ registry: new Registry([v2]) }).start();
  const failed = await waitForJob(fx.store, job.id, (j) => j.state === "failed");
  assertEquals(failed.errors[0].name, "InvalidInputError");
  assert(failed.errors[0].message.includes("input.id"), failed.errors[0].message);
});

Deno.test("queues are served in the order given", async () => {
  const ran: string[] = [];
  await using fx = await fixture([task("record", (input) => void ran.push(input as string))]);
  await fx.enqueue("record", "low 1", { queue: "low" });
  await fx.enqueue("record", "low 2", { queue: "low" });
  const last = await fx.enqueue("record", "urgent", { queue: "urgent" });
  fx.worker({ queues: ["urgent", "low"], concurrency: 1 }).start();
  await waitFor(() => ran.length === 3, "three jobs to run");
  assertEquals(ran[0], "urgent");
  await waitForJob(fx.store, last.id, (j) => j.state === "finished");
});

Deno.test("concurrency limit is never exceeded", async () => {
  let running = 0;
  let most = 0;
  const waiting: (() => void)[] = [];
  const slow = task("slow", async () => {
    most = Math.max(most, ++running);
    const { promise, open } = gate();
    waiting.push(open);
    await promise;
    running--;
  });
  await using fx = await fixture([slow]);
  const jobs = await Promise.all(Array.from({ length: 10 }, () => fx.enqueue("slow", {})));
  fx.worker({ concurrency: 3 }).start();
  for (let released = 0; released < jobs.length;) {
    const expected = Math.min(3, jobs.length - released);
    await waitFor(() => waiting.length === expected, `${expected} handlers to wait`);
    for (const open of waiting.splice(0)) open();
    released += expected;
  }
  for (const job of jobs) await waitForJob(fx.store, job.id, (j) => j.state === "finished");
  assertEquals(most, 3);
});

Deno.test("the heartbeat keeps a long job's lease alive past leaseMs", async () => {
  const { promise, open } = gate();
  await using fx = await fixture([task("long", () => promise)]);
  fx.worker({ leaseMs: 3_000 }).start();
  const job = await fx.enqueue("long", {});
  const started = await waitForJob(fx.store, job.id, (j) => j.state === "started");
  const renewed = await advanceUntil(
    fx.clock,
    waitForJob(fx.store, job.id, (j) => j.leaseExpiresAt! > started.leaseExpiresAt! + 9_000),
    250,
  );
  assertEquals([renewed.state, renewed.attempts, renewed.errors], ["started", 1, []]);
  open();
  await waitForJob(fx.store, job.id, (j) => j.state === "finished");
});

Deno.test("a lease shorter than the heartbeat's check interval is renewed before it runs out", async () => {
  const { promise, open } = gate();
  await using fx = await fixture([task("long", () => promise)]);
  fx.worker({ leaseMs: 600 }).start();
  const job = await fx.enqueue("long", {});
  await waitForJob(fx.store, job.id, (j) => j.state === "started");
  try {
    for (let step = 0; step < 30; step++) {
      await advance(fx.clock, 100);
      const now = fx.clock.now();
      await waitForJob(fx.store, job.id, (j) => j.leaseExpiresAt! > now, `lease alive at +${step}`);
    }
  } finally {
    open();
  }
  await waitForJob(fx.store, job.id, (j) => j.state === "finished");
});

Deno.test("a worker whose job was rescued elsewhere aborts it and writes nothing", async () => {
  let signal: AbortSignal | undefined;
  await using fx = await fixture([task("slow", (_input, ctx) => {
    signal = ctx.signal;
    return new Promise(() => {});
  })]);
  const worker = fx.worker();
  worker.start();
  const job = await fx.enqueue("slow", {});
  const started = await waitForJob(fx.store, job.id, (j) => j.state === "started");
  const rescued = failAttempt(started, {
    now: fx.clock.now(),
    error: { name: "LeaseExpiredError", message: "rescued" },
    retryDelayMs: 3_600_000,
    ttlMs: 1,
  });
  const { applied } = await fx.store.jobUpdateMany({
    updates: [{ before: started, after: rescued }],
  });
  assertEquals(applied, [job.id]);
  await advanceUntil(fx.clock, waitFor(() => signal!.aborted, "the abort"), 250);
  assert(signal!.reason.message.includes("lease lost"), signal!.reason.message);
  await waitFor(() => worker.running === 0, "the worker to let go of the job");
  assertEquals(await fx.store.jobGet(job.id), rescued);
});
