import { assert, assertEquals } from "../assert.ts";
import { JobStopped } from "../../src/errors.ts";
import type { Job } from "../../src/job.ts";
import type { Store } from "../../src/store/store.ts";
import { cancelJob } from "../../src/transitions/mod.ts";
import { advanceUntil, fixture, gate, task, waitFor, waitForJob } from "./helpers.ts";

/** What the HTTP API does on cancel: mark the running job, retrying if a heartbeat raced. */
async function requestCancel(store: Store, id: string, now: number): Promise<void> {
  for (;;) {
    const job = (await store.jobGet(id))!;
    const after = cancelJob(job, { now, reason: "user asked", ttlMs: 1_000 });
    const { applied } = await store.jobUpdateMany({ updates: [{ before: job, after }] });
    if (applied.length === 1) return;
  }
}

/** A handler that waits until its signal aborts, then rejects with the reason as it should. */
function waitForAbort(signals: AbortSignal[]) {
  return (_input: unknown, ctx: { signal: AbortSignal }) => {
    signals.push(ctx.signal);
    return new Promise((_, reject) => {
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
    });
  };
}

Deno.test("cancel of a running job aborts its signal and ends canceled", async () => {
  const signals: AbortSignal[] = [];
  await using fx = await fixture([task("listen", waitForAbort(signals))]);
  fx.worker().start();
  const job = await fx.enqueue("listen", {});
  await waitForJob(fx.store, job.id, (j) => j.state === "started");
  await requestCancel(fx.store, job.id, fx.clock.now());
  const canceled = await advanceUntil(
    fx.clock,
    waitForJob(fx.store, job.id, (j) => j.state === "canceled"),
    250,
  );
  assertEquals(canceled.cancelReason, "user asked");
  assertEquals(canceled.errors, []);
  assert(signals[0].aborted);
  assertEquals(signals[0].reason.message, "job canceled: user asked");
});

Deno.test("graceful stop lets a running job finish within the shutdown timeout", async () => {
  const { promise, open } = gate();
  let started = false;
  await using fx = await fixture([task("finishing", async () => {
    started = true;
    await promise;
    return "done";
  })]);
  const worker = fx.worker({ shutdownTimeoutMs: 5_000 });
  worker.start();
  const job = await fx.enqueue("finishing", {});
  await waitFor(() => started, "the handler to start");
  const stopped = worker.stop();
  open();
  await stopped;
  const done = (await fx.store.jobGet(job.id))!;
  assertEquals([done.state, done.result], ["finished", "done"]);
});

Deno.test("graceful stop releases jobs that outlive the shutdown timeout", async () => {
  const signals: AbortSignal[] = [];
  const stubborn = task("stubborn", (_input, ctx) => {
    signals.push(ctx.signal);
    return new Promise(() => {}); // ignores the abort: the release must not wait for it
  });
  await using fx = await fixture([stubborn, task("polite", waitForAbort(signals))]);
  const worker = fx.worker({ shutdownTimeoutMs: 5_000 });
  worker.start();
  const jobs = [await fx.enqueue("stubborn", {}), await fx.enqueue("polite", {})];
  await waitFor(() => signals.length === 2, "both handlers to start");
  const stopAt = fx.clock.now();
  await advanceUntil(fx.clock, worker.stop(), 500);
  assert(fx.clock.now() - stopAt >= 5_000, "released before the shutdown timeout");
  for (const { id } of jobs) {
    const released: Job = (await fx.store.jobGet(id))!;
    assertEquals([released.state, released.attempts, released.errors], ["queued", 0, []]);
  }
  assert(signals.every((s) => s.reason instanceof JobStopped && s.reason.cause === "shutdown"));
  assertEquals(worker.running, 0);
});
