import { assert, assertEquals } from "../assert.ts";
import type { Job } from "../../src/job.ts";
import { MAX_ACTION_IDS } from "../../src/job_actions.ts";
import { claimNext, failNext } from "./play_worker.ts";
import { assertError, assertRefused, withApi } from "./setup.ts";

Deno.test("POST /jobs/actions retries failed jobs and says per id what happened", async () => {
  await withApi(async ({ enqueue, post, store, clock }) => {
    const failed: Job[] = [];
    for (let i = 0; i < 2; i++) {
      await enqueue("noop", {});
      failed.push(await failNext(store, clock.now()));
    }
    const queued = await enqueue("noop", {});
    const missing = "01JD0000000000000000000000";
    const res = await post("/jobs/actions", {
      action: "retry",
      ids: [failed[0].id, queued.id, missing, failed[1].id],
    });
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(body.counts, { done: 2, not_found: 1, refused: 1, failed: 0 });
    assertEquals(body.results.map((r: { outcome: string }) => r.outcome), [
      "done",
      "refused",
      "not_found",
      "done",
    ]);
    assertEquals(body.results[0], { id: failed[0].id, outcome: "done", status: "queued" });
    assertEquals(body.results[1].error.code, "invalid_state");
    assertEquals(body.results[1].error.state, "queued");
    assertEquals(body.results[2].error.code, "job_not_found");
    for (const job of failed) assertEquals((await store.jobGet(job.id))!.state, "queued");
  });
});

Deno.test("POST /jobs/actions cancels waiting jobs, asks a running one to stop, refuses ended ones", async () => {
  await withApi(async ({ enqueue, post, store, clock }) => {
    await enqueue("noop", {});
    const started = await claimNext(store, clock.now());
    const finished = await enqueue("noop", {});
    await post(`/jobs/${finished.id}/cancel`);
    const later = await enqueue("noop", {}, { delay: 60_000 });
    const body = await (await post("/jobs/actions", {
      action: "cancel",
      ids: [started.id, finished.id, later.id],
    })).json();
    assertEquals(body.results.map((r: { status?: string }) => r.status), [
      "started",
      undefined,
      "canceled",
    ]);
    assertEquals(body.results[1].error.code, "invalid_state");
    assertEquals((await store.jobGet(started.id))!.cancelRequested, true);
    assertEquals((await store.jobGet(later.id))!.cancelReason, "canceled by request");
  });
});

Deno.test("POST /jobs/actions delete refuses a parent with waiting dependants unless cascade", async () => {
  await withApi(async ({ enqueue, post, store }) => {
    const parent = await enqueue("noop", {});
    const child = await enqueue("noop", {}, { depends_on: [parent.id] });
    const loner = await enqueue("noop", {});
    const refused = await (await post("/jobs/actions", {
      action: "delete",
      ids: [parent.id, loner.id],
    })).json();
    assertEquals(refused.counts, { done: 1, not_found: 0, refused: 1, failed: 0 });
    assertEquals(refused.results[0].error.code, "dependants_waiting");
    assertEquals(refused.results[0].error.dependants, [child.id]);
    assertEquals(await store.jobGet(loner.id), null);
    assert(await store.jobGet(parent.id), "a refused delete keeps the job");

    const cascaded = await (await post("/jobs/actions", {
      action: "delete",
      ids: [parent.id],
      cascade: "cancel",
    })).json();
    assertEquals(cascaded.results, [{ id: parent.id, outcome: "done", canceled: [child.id] }]);
    assertEquals((await store.jobGet(child.id))!.state, "canceled");
  });
});

Deno.test("POST /jobs/actions refuses bad requests before changing any job", async () => {
  await withApi(async (api) => {
    const job = await api.enqueue("noop", {});
    const tooMany = Array.from({ length: MAX_ACTION_IDS + 1 }, (_, i) => `id${i}`);
    const cases: [unknown, number, string, string][] = [
      [{ action: "retry", ids: tooMany }, 422, "limit_exceeded", "bulk_ids"],
      [{ action: "cancel", ids: [job.id, job.id] }, 422, "invalid_input", "ids.1"],
      [{ action: "explode", ids: [job.id] }, 422, "invalid_input", "action"],
      [{ action: "cancel", ids: [] }, 422, "invalid_input", "ids"],
      [{ action: "cancel", ids: [job.id], cascade: "cancel" }, 422, "invalid_input", "cascade"],
      [{ action: "cancel", ids: [job.id], force: true }, 422, "invalid_input", "force"],
    ];
    for (const [body, status, code, named] of cases) {
      const error = await assertRefused(api, () => api.post("/jobs/actions", body), status, code);
      assert(JSON.stringify(error).includes(`"${named}"`), `${named}: ${JSON.stringify(error)}`);
    }
    await assertError(await api.post("/jobs/actions", "{"), 400, "invalid_json");
    assertEquals((await api.store.jobGet(job.id))!.state, "queued");
  });
});

Deno.test("POST /jobs/{id}/run-now queues a scheduled job at once and refuses other states", async () => {
  await withApi(async ({ enqueue, post, store, clock }) => {
    const later = await enqueue("noop", {}, { delay: 3_600_000 });
    const res = await post(`/jobs/${later.id}/run-now`);
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals([body.status, body.run_at], ["queued", new Date(clock.now()).toISOString()]);
    assertEquals((await claimNext(store, clock.now())).id, later.id, "a worker claims it now");

    const error = await assertError(await post(`/jobs/${later.id}/run-now`), 409, "invalid_state");
    assertEquals(error.state, "started");
    assert(String(error.message).includes("it is started"), String(error.message));
    await assertError(await post("/jobs/01JD0000000000000000000000/run-now"), 404, "job_not_found");
    const many = await (await post("/jobs/actions", { action: "run_now", ids: [later.id] })).json();
    assertEquals(many.results[0].error.state, "started");
  });
});
