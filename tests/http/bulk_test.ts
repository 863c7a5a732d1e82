import { assert, assertEquals } from "../assert.ts";
import { BatchWatcher } from "../../src/batches/batch_watcher.ts";
import { silentLogger } from "../../src/log.ts";
import type { Store } from "../../src/store/store.ts";
import { finishJob } from "../../src/transitions/mod.ts";
import { assertError, assertRefused, withApi } from "./setup.ts";
import { waitFor } from "../worker/helpers.ts";

/** Claims and finishes every ready job of `queue`, as workers would. */
async function finishAll(store: Store, queue: string, now: number): Promise<number> {
  let done = 0;
  for (;;) {
    const claimed = await store.jobClaim({
      queues: [queue],
      workerId: "w",
      limit: 50,
      leaseMs: 60_000,
      now,
    });
    if (claimed.length === 0) return done;
    const updates = claimed.map((job) => ({
      before: job,
      after: finishJob(job, { now, result: null, ttlMs: 60_000 }),
    }));
    done += (await store.jobUpdateMany({ updates })).applied.length;
  }
}

Deno.test("POST /jobs/bulk enqueues 10,000 jobs and lists the invalid ones by index", async () => {
  await withApi(async ({ post, get, store }) => {
    const bad = new Map<number, string>([
      [17, "unknown_task"],
      [2_500, "invalid_input"],
      [7_777, "invalid_input"],
      [9_999, "invalid_input"],
    ]);
    const jobs = Array.from({ length: 10_000 }, (_, i) => {
      if (i === 17) return { task: "nope", input: {} };
      if (i === 2_500) return { task: "send_notification", input: { email: "x" } };
      if (i === 7_777) return { task: "noop", input: {}, priority: 5_000 };
      if (i === 9_999) return "not an object";
      return { task: "store_blob", input: { data: `${i}` } };
    });
    const started = performance.now();
    const res = await post("/jobs/bulk", { jobs });
    const ms = performance.now() - started;
    assertEquals(res.status, 202, await res.clone().text());
    const body = await res.json();
    assertEquals(body.job_ids.length, 9_996);
    assertEquals(new Set(body.job_ids).size, 9_996);
    assertEquals(
      body.rejected.map((r: { index: number; error: { code: string } }) => [r.index, r.error.code]),
      [...bad],
    );
    assertEquals(body.rejected[1].error.issues[0].path, "input.email");
    assertEquals(body.rejected[2].error.issues[0].path, "priority");
    assertEquals(body.status_url, `/batches/${body.batch_id}`);
    const [queue] = await store.queueCounts();
    assertEquals([queue.name, queue.queued], ["default", 9_996]);
    const batch = await (await get(body.status_url)).json();
    assertEquals([batch.total, batch.queued, batch.started, batch.finished], [9_996, 9_996, 0, 0]);
    const job = await store.jobGet(body.job_ids[18]);
    assertEquals([job?.input, job?.batchId], [{ data: "19" }, body.batch_id]);
    console.log(`10,000-job bulk request answered in ${Math.round(ms)} ms`);
  });
});

Deno.test("a batch's counts move with its jobs and on_complete runs once at the end", async () => {
  await withApi(async ({ post, get, store, clock }) => {
    const res = await post("/jobs/bulk", {
      jobs: Array.from(
        { length: 120 },
        (_, i) => ({ task: "store_blob", input: { data: `${i}` } }),
      ),
      on_complete: { task: "store_blob", input: { data: "done" }, queue: "after" },
    });
    const { batch_id, status_url } = await res.json();
    const watchers = [1, 2].map(() => new BatchWatcher({ store, clock, logger: silentLogger }));
    try {
      const [claimed] = await store.jobClaim({
        queues: ["default"],
        workerId: "w",
        limit: 20,
        leaseMs: 60_000,
        now: clock.now(),
      }).then((jobs) => [jobs.length]);
      const midway = await (await get(status_url)).json();
      assertEquals([midway.queued, midway.started, midway.finished], [100, claimed, 0]);
      // Both watchers have looked once when both sleep on the fake clock.
      const idle = clock.pendingSleeps + watchers.length;
      for (const watcher of watchers) watcher.start();
      await clock.untilSleeping(idle);
      assertEquals((await (await get(status_url)).json()).completed_at, null, "not yet complete");
      // The 20 claimed stay started; finish the other 100, then the 20.
      assertEquals(await finishAll(store, "default", clock.now()), 100);
      const started = (await store.jobList({ state: "started", limit: 50 })).jobs;
      await store.jobUpdateMany({
        updates: started.map((job) => ({
          before: job,
          after: finishJob(job, { now: clock.now(), result: null, ttlMs: 60_000 }),
        })),
      });
      clock.advance(1_000);
      let batch: Record<string, unknown> = {};
      await waitFor(async () =>
        (batch = await (await get(status_url)).json()).completed_at !== null
      );
      assertEquals([batch.total, batch.finished, batch.queued, batch.started], [120, 120, 0, 0]);
      await clock.untilSleeping(idle);
      clock.advance(1_000); // one more look of each: nothing more to complete
      await clock.untilSleeping(idle);
      const after = (await store.queueCounts()).find((c) => c.name === "after");
      assertEquals(after?.queued, 1, "the completion job is enqueued exactly once");
      const completion = await store.jobGet(batch.completion_job_id as string);
      assertEquals([completion?.task, completion?.input], ["store_blob", { data: "done" }]);
      assert(batch_id);
    } finally {
      await Promise.all(watchers.map((watcher) => watcher.stop()));
    }
  });
});

Deno.test("bad bulk requests answer 4xx naming the field and write nothing", async () => {
  await withApi(async (api) => {
    const cases: [unknown, string][] = [
      [{ jobs: [] }, "jobs"],
      [{ jobs: "x" }, "jobs"],
      [{}, "jobs"],
      [{ jobs: [{ task: "noop", input: {} }], extra: 1 }, "extra"],
      [{
        jobs: [{ task: "noop", input: {} }],
        on_complete: { task: "send_notification", input: {} },
      }, "on_complete.input.email"],
      [{ jobs: [{ task: "noop", input: {} }], on_complete: { input: {} } }, "on_complete.task"],
      [{ jobs: [{ task: "nope", input: {} }] }, "jobs"],
    ];
    for (const [body, path] of cases) {
      const error = await assertRefused(
        api,
        () => api.post("/jobs/bulk", body),
        422,
        "invalid_input",
      );
      assertEquals(
        (error.issues as { path: string }[])[0].path,
        path,
        JSON.stringify(body).slice(0, 80),
      );
    }
    // Over 10,000 jobs is a 413 naming the limit: tests/security/limits_test.ts.
    const allBad = await api.post("/jobs/bulk", { jobs: [{ task: "nope", input: {} }] });
    const { rejected } = await assertError(allBad, 422, "invalid_input");
    assertEquals((rejected as { index: number }[])[0].index, 0);
    await assertError(await api.get("/batches/01JD0000000000000000000000"), 404, "batch_not_found");
    await assertError(await api.get("/batches/nope"), 404, "batch_not_found");
  });
});
