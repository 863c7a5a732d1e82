import { assert, assertEquals } from "../assert.ts";
import { jobJson } from "../../src/job_json.ts";
import type { Store } from "../../src/store/store.ts";
import { checkProgress, PROGRESS_INTERVAL_MS } from "../../src/worker/progress.ts";
import { advance, fixture, gate, task, waitForJob } from "./helpers.ts";

/** Counts the store writes that change a job's progress. */
function countProgressWrites(store: Store): { writes: number } {
  const counter = { writes: 0 };
  const update = store.jobUpdateMany.bind(store);
  store.jobUpdateMany = (params) => {
    if (params.updates.some((u) => u.before.progress !== u.after.progress)) counter.writes++;
    return update(params);
  };
  return counter;
}

Deno.test("ctx.progress() is stored on the job, at most one write per interval", async () => {
  const step = gate();
  const end = gate();
  const looped = gate();
  await using fx = await fixture([
    task("chatty", async (_input, ctx) => {
      for (let i = 1; i <= 1_000; i++) ctx.progress(i / 10);
      await step.promise;
      for (let i = 0; i < 1_000; i++) ctx.progress({ phase: "upload", done: i });
      looped.open();
      await end.promise;
      return "ok";
    }),
  ]);
  const counter = countProgressWrites(fx.store);
  fx.worker().start();
  const job = await fx.enqueue("chatty", {});
  await waitForJob(fx.store, job.id, (j) => j.progress === 100, "first report");
  step.open();
  await looped.promise;
  assertEquals(counter.writes, 1, "throttled until the interval");
  assertEquals((await fx.store.jobGet(job.id))?.progress, 100);
  await advance(fx.clock, PROGRESS_INTERVAL_MS);
  await waitForJob(fx.store, job.id, (j) => (j.progress as { done?: number }).done === 999);
  assertEquals(counter.writes, 2);
  end.open();
  const done = await waitForJob(fx.store, job.id, (j) => j.state === "finished");
  assertEquals([done.result, done.progress], ["ok", { phase: "upload", done: 999 }]);
  assertEquals(jobJson(done).progress, { phase: "upload", done: 999 });
});

Deno.test("a bad ctx.progress() value throws in the handler", async () => {
  await using fx = await fixture([
    task("bad", (_input, ctx) => {
      ctx.progress(101);
    }, { retry: { maxAttempts: 1 } }),
  ]);
  fx.worker().start();
  const job = await fx.enqueue("bad", {});
  const failed = await waitForJob(fx.store, job.id, (j) => j.state === "failed");
  assertEquals(failed.errors[0].name, "RangeError");
  assert(failed.errors[0].message.includes("0 to 100"));
});

Deno.test("checkProgress takes 0-100 and small plain objects only", () => {
  assertEquals(checkProgress(0), 0);
  assertEquals(checkProgress({ step: "b" }), { step: "b" });
  for (const bad of [-1, 100.5, NaN, "50", null, [1], { big: "x".repeat(2_000) }]) {
    let threw = false;
    try {
      checkProgress(bad);
    } catch (error) {
      threw = error instanceof RangeError || error instanceof TypeError;
    }
    assert(threw, `refuses ${JSON.stringify(bad)?.slice(0, 20)}`);
  }
});
