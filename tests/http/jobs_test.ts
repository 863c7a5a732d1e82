import { assert, assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import { assertError, assertRefused, withApi } from "./setup.ts";

Deno.test("GET /jobs/{id} renders the job as snake_case JSON", async () => {
  await withApi(async ({ enqueue, get, clock }) => {
    const job = await enqueue("process_video", { video_id: 7 }, { priority: 3 });
    const res = await get(`/jobs/${job.id}`);
    assertEquals(res.status, 200);
    const now = new Date(clock.now()).toISOString();
    assertEquals(await res.json(), {
      id: job.id,
      task: "process_video",
      queue: "videos",
      priority: 3,
      status: "queued",
      input: { video_id: 7, resolutions: [360, 720, 1080] },
      result: null,
      error: null,
      errors: [],
      attempts: 0,
      max_attempts: 3,
      created_at: now,
      run_at: now,
      started_at: null,
      ended_at: null,
      worker_id: null,
      cancel_requested: false,
      cancel_reason: null,
      expires_at: null,
      deferrals: 0,
      depends_on: [],
      dependants: [],
      flow_id: null,
      group: null,
      concurrency_key: null,
      concurrency_limit: null,
      progress: null,
      callback: null,
      steps: [],
    });
  });
});

Deno.test("GET /jobs/{id} answers 404 for an unknown or malformed id", async () => {
  await withApi(async ({ get }) => {
    const error = await assertError(await get(`/jobs/${newJobId()}`), 404, "job_not_found");
    assert(typeof error.job_id === "string");
    await assertError(await get("/jobs/not-a-job-id"), 404, "job_not_found");
    await assertError(await get("/jobs/%2E%2E%2Fetc"), 404, "job_not_found");
  });
});

Deno.test("GET /jobs paginates with a cursor", async () => {
  await withApi(async ({ enqueue, get, clock }) => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await enqueue("noop", {})).id);
      clock.advance(1);
    }
    const seen: string[] = [];
    let url = "/jobs?limit=2";
    for (let pages = 0; pages < 10; pages++) {
      const res = await get(url);
      assertEquals(res.status, 200);
      const { jobs, next_cursor } = await res.json();
      assert(jobs.length <= 2);
      seen.push(...jobs.map((job: { id: string }) => job.id));
      if (next_cursor === null) break;
      url = `/jobs?limit=2&cursor=${encodeURIComponent(next_cursor)}`;
    }
    assertEquals(seen, ids.reverse(), "newest first, each job once");
  });
});

Deno.test("GET /jobs filters by status, queue and task", async () => {
  await withApi(async ({ enqueue, get }) => {
    const mail = await enqueue("send_notification", { email: "a@b.co", message: "hi" });
    const later = await enqueue("noop", {}, { delay: 1_000 });
    const video = await enqueue("process_video", { video_id: 1 });
    const ids = async (query: string) =>
      (await (await get(`/jobs?${query}`)).json()).jobs.map((job: { id: string }) => job.id);
    assertEquals(await ids("status=scheduled"), [later.id]);
    assertEquals(await ids("queue=notifications"), [mail.id]);
    assertEquals(await ids("task=process_video"), [video.id]);
    assertEquals(await ids("status=queued&queue=videos"), [video.id]);
    assertEquals(await ids("status=failed"), []);
  });
});

Deno.test("GET /jobs refuses a bad status or limit with 422", async () => {
  await withApi(async ({ get }) => {
    for (const query of ["status=done", "limit=0", "limit=501", "limit=ten", "colour=red"]) {
      await assertError(await get(`/jobs?${query}`), 422, "invalid_input");
    }
  });
});

Deno.test("the routes make a valid OpenAPI document", async () => {
  await withApi(({ app, registry }) => {
    const doc = app.getOpenAPIDocument({ openapi: "3.0.0", info: { title: "tq", version: "0" } });
    const paths = Object.keys(doc.paths ?? {}).sort();
    // One documented operation per task (served by /tasks/{task}), then the routes.
    const perTask = registry.list().map((task) => `/tasks/${task.name}`).sort();
    assertEquals(paths.filter((path) => /^\/tasks\/[^{]/.test(path)), perTask);
    assertEquals(paths.filter((path) => !perTask.includes(path)), [
      "/batches/{id}",
      "/doctor",
      "/events",
      "/flows",
      "/flows/{id}",
      "/healthz",
      "/jobs",
      "/jobs/actions",
      "/jobs/bulk",
      "/jobs/{id}",
      "/jobs/{id}/cancel",
      "/jobs/{id}/complete",
      "/jobs/{id}/events",
      "/jobs/{id}/fail",
      "/jobs/{id}/heartbeat",
      "/jobs/{id}/log",
      "/jobs/{id}/retry",
      "/jobs/{id}/run-now",
      "/metrics",
      "/queues",
      "/queues/{name}/pause",
      "/queues/{name}/resume",
      "/queues/{name}/retry-failed",
      "/schedules",
      "/schedules/{name}/pause",
      "/schedules/{name}/resume",
      "/schedules/{name}/trigger",
      "/tasks",
      "/tasks/{task}",
      "/worker/beat",
      "/worker/claim",
      "/worker/stop",
    ]);
    return Promise.resolve();
  });
});

Deno.test("refusals by id write nothing", async () => {
  await withApi(async (api) => {
    await api.enqueue("noop", {});
    const missing = newJobId();
    await assertRefused(api, () => api.post(`/jobs/${missing}/retry`), 404, "job_not_found");
    await assertRefused(api, () => api.post(`/jobs/${missing}/cancel`), 404, "job_not_found");
    const del = () => api.app.request(`/jobs/${missing}`, { method: "DELETE" });
    await assertRefused(api, async () => await del(), 404, "job_not_found");
  });
});
