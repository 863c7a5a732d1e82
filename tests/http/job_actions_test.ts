import { jobLogAppend, jobLogList } from "../../src/job_log/job_log.ts";
import { assert, assertEquals } from "../assert.ts";
import type { Job } from "../../src/job.ts";
import type { Store } from "../../src/store/store.ts";
import { failAttempt, finishJob } from "../../src/transitions/mod.ts";
import { assertError, assertRefused, override, withApi } from "./setup.ts";

/** Plays a worker: claims the next job of `queue`. */
async function claim(store: Store, queue: string, now: number): Promise<Job | undefined> {
  const [job] = await store.jobClaim({
    queues: [queue],
    workerId: "w1",
    limit: 1,
    leaseMs: 30_000,
    now,
  });
  return job;
}

/** Plays a worker whose attempt failed for good. */
async function failForGood(store: Store, job: Job, now: number): Promise<void> {
  const after = failAttempt(job, {
    now,
    error: { name: "Error", message: "smtp down", workerId: "w1" },
    retryDelayMs: 0,
    ttlMs: 60_000,
    final: true,
  });
  assertEquals((await store.jobUpdateMany({ updates: [{ before: job, after }] })).applied, [
    job.id,
  ]);
}

Deno.test("cancel of a queued job means it never runs", async () => {
  await withApi(async ({ enqueue, post, store, clock }) => {
    const job = await enqueue("noop", {});
    const res = await post(`/jobs/${job.id}/cancel`);
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals([body.status, body.cancel_reason], ["canceled", "canceled by request"]);
    assertEquals(body.ended_at, new Date(clock.now()).toISOString());
    assertEquals(await claim(store, "default", clock.now()), undefined);
  });
});

Deno.test("cancel of a running job sets cancel_requested", async () => {
  await withApi(async ({ enqueue, post, store, clock }) => {
    const job = await enqueue("noop", {});
    await claim(store, "default", clock.now());
    const res = await post(`/jobs/${job.id}/cancel`);
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals([body.status, body.cancel_requested], ["started", true]);
    assertEquals((await store.jobGet(job.id))?.cancelRequested, true);
  });
});

Deno.test("cancel that races a claim re-reads and asks the running job to stop", async () => {
  let raced = false;
  // Between the API's read and its write, a worker claims the job.
  const racing = (store: Store): Store =>
    override(store, {
      async jobUpdateMany(params) {
        if (!raced) {
          raced = true;
          await claim(store, "default", Date.now());
        }
        return store.jobUpdateMany(params);
      },
    });
  await withApi(async ({ enqueue, post }) => {
    const job = await enqueue("noop", {});
    const body = await (await post(`/jobs/${job.id}/cancel`)).json();
    assertEquals([raced, body.status, body.cancel_requested], [true, "started", true]);
  }, racing);
});

Deno.test("cancel of a finished job answers 409", async () => {
  await withApi(async (api) => {
    const job = await api.enqueue("noop", {});
    const running = (await claim(api.store, "default", api.clock.now()))!;
    const done = finishJob(running, { now: api.clock.now(), result: 1, ttlMs: 60_000 });
    await api.store.jobUpdateMany({ updates: [{ before: running, after: done }] });
    const error = await assertRefused(
      api,
      () => api.post(`/jobs/${job.id}/cancel`),
      409,
      "invalid_state",
    );
    assertEquals([error.job_id, error.state], [job.id, "finished"]);
  });
});

Deno.test("retry of a failed job queues it again", async () => {
  await withApi(async ({ enqueue, post, store, clock }) => {
    const job = await enqueue("send_notification", { email: "a@b.co", message: "hi" });
    const running = (await claim(store, "notifications", clock.now()))!;
    await failForGood(store, running, clock.now());
    clock.advance(5_000);
    const res = await post(`/jobs/${job.id}/retry`);
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals([body.status, body.attempts, body.ended_at], ["queued", 0, null]);
    assertEquals(body.error.message, "smtp down", "the history of errors stays");
    assertEquals(body.errors.length, 1);
    assertEquals((await claim(store, "notifications", clock.now()))?.id, job.id);
  });
});

Deno.test("retry of a canceled job queues it again", async () => {
  await withApi(async ({ enqueue, post }) => {
    const job = await enqueue("noop", {});
    await post(`/jobs/${job.id}/cancel`);
    const body = await (await post(`/jobs/${job.id}/retry`)).json();
    assertEquals([body.status, body.cancel_reason], ["queued", null]);
  });
});

Deno.test("retry of a queued job answers 409", async () => {
  await withApi(async (api) => {
    const job = await api.enqueue("noop", {});
    await assertRefused(api, () => api.post(`/jobs/${job.id}/retry`), 409, "invalid_state");
  });
});

Deno.test("DELETE of a started job answers 409", async () => {
  await withApi(async (api) => {
    const job = await api.enqueue("noop", {});
    await claim(api.store, "default", api.clock.now());
    const del = async () => await api.app.request(`/jobs/${job.id}`, { method: "DELETE" });
    const error = await assertRefused(api, del, 409, "invalid_state");
    assert(String(error.message).includes("cancel it first"));
  });
});

Deno.test("DELETE of a waiting job answers 204 and the job is gone, with its log lines", async () => {
  await withApi(async ({ enqueue, app, get, store, clock }) => {
    const job = await enqueue("noop", {}, { delay: 1_000 });
    await jobLogAppend(store, [{
      jobId: job.id,
      seq: "1",
      at: clock.now(),
      attempt: 0,
      message: "m",
    }]);
    const res = await app.request(`/jobs/${job.id}`, { method: "DELETE" });
    assertEquals([res.status, await res.text()], [204, ""]);
    await assertError(await get(`/jobs/${job.id}`), 404, "job_not_found");
    assertEquals((await store.queueCounts())[0].scheduled, 0);
    assertEquals(await jobLogList(store, { jobId: job.id, limit: 10 }), []);
  });
});

Deno.test("DELETE of a parent with waiting dependants answers 409 naming them", async () => {
  await withApi(async (api) => {
    const parent = await api.enqueue("noop", {}, { delay: 1_000 });
    const child = await api.enqueue("noop", {}, { depends_on: [parent.id] });
    const del = async () => await api.app.request(`/jobs/${parent.id}`, { method: "DELETE" });
    const error = await assertRefused(api, del, 409, "dependants_waiting");
    assertEquals([error.dependants, error.dependant_count], [[child.id], 1]);
  });
});

Deno.test("DELETE ?cascade=cancel deletes the parent and cancels its dependants", async () => {
  await withApi(async ({ enqueue, app, get }) => {
    const parent = await enqueue("noop", {}, { delay: 1_000 });
    const child = await enqueue("noop", {}, { depends_on: [parent.id] });
    const res = await app.request(`/jobs/${parent.id}?cascade=cancel`, { method: "DELETE" });
    assertEquals(res.status, 204);
    await assertError(await get(`/jobs/${parent.id}`), 404, "job_not_found");
    const body = await (await get(`/jobs/${child.id}`)).json();
    assertEquals([body.status, body.cancel_reason], ["canceled", `parent ${parent.id} deleted`]);
  });
});

Deno.test("GET /queues counts move with the job", async () => {
  await withApi(async ({ enqueue, post, get, store, clock }) => {
    const counts = async () => {
      const res = await get("/queues");
      assertEquals(res.status, 200);
      const { queues } = await res.json();
      return queues.find((q: { name: string }) => q.name === "default");
    };
    const zero = {
      deferred: 0,
      queued: 0,
      scheduled: 0,
      started: 0,
      waiting: 0,
      finished: 0,
      failed: 0,
      canceled: 0,
      latency_ms: 0, // the fake clock stands still
    };
    const job = await enqueue("noop", {});
    assertEquals(await counts(), { name: "default", ...zero, queued: 1 });
    const running = (await claim(store, "default", clock.now()))!;
    assertEquals(await counts(), { name: "default", ...zero, started: 1 });
    await failForGood(store, running, clock.now());
    assertEquals(await counts(), { name: "default", ...zero, failed: 1 });
    await post(`/jobs/${job.id}/retry`);
    assertEquals(await counts(), { name: "default", ...zero, queued: 1 });
    await post(`/jobs/${job.id}/cancel`);
    assertEquals(await counts(), { name: "default", ...zero, canceled: 1 });
  });
});
