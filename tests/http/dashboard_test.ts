import { jobLogAppend } from "../../src/job_log/job_log.ts";
import { assert, assertEquals } from "../assert.ts";
import { assertError, withApi } from "./setup.ts";
import { expireJob, failAttempt } from "../../src/transitions/mod.ts";
import type { Store } from "../../src/store/store.ts";
import type { Job } from "../../src/job.ts";
import { workerBeat } from "../../src/presence/worker_registry.ts";

const XSS = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

/** Claims the job and fails it for good with `message`. */
async function failWith(store: Store, job: Job, now: number, message: string): Promise<Job> {
  const [started] = await store.jobClaim({
    queues: [job.queue],
    workerId: "w1",
    limit: 1,
    leaseMs: 30_000,
    now,
  });
  const failed = failAttempt(started, {
    now,
    error: { name: "Error", message, stack: `Error: ${message}\n    at handler` },
    retryDelayMs: 0,
    ttlMs: 60_000,
    final: true,
  });
  await store.jobUpdateMany({ updates: [{ before: started, after: failed }] });
  return failed;
}

async function html(res: Response): Promise<string> {
  assertEquals(res.status, 200);
  assert(res.headers.get("content-type")!.startsWith("text/html"));
  return await res.text();
}

Deno.test("dashboard pages render server-side, small, with no inline script or style", async () => {
  await withApi(async ({ get, enqueue }) => {
    const job = await enqueue("noop", {});
    for (const path of ["/", "/ui/jobs", `/ui/jobs/${job.id}`, "/ui/workers", "/docs"]) {
      const text = await html(await get(path));
      assert(text.length < 100_000, `${path} is ${text.length} bytes`);
      assert(!/<script(?![^>]*\bsrc=)[^>]*>/.test(text), `${path} has an inline script`);
      assert(!/\sstyle=|<style/.test(text), `${path} has an inline style`);
    }
    const overview = await html(await get("/"));
    assert(overview.includes('href="/ui/jobs?queue=default&amp;status=queued">1</a>'), overview);
    for (const asset of ["tq.css", "tq.js"]) {
      assertEquals((await get(`/assets/${asset}`)).status, 200);
    }
    await assertError(await get("/assets/nope.js"), 404, "not_found");
  });
});

Deno.test("job data reaches the page escaped: input, error, stack and log lines", async () => {
  await withApi(async ({ get, enqueue, store, clock }) => {
    const job = await enqueue("store_blob", { data: XSS });
    await jobLogAppend(store, [{
      jobId: job.id,
      seq: "1",
      at: clock.now(),
      attempt: 1,
      message: XSS,
      fields: { x: XSS },
    }]);
    await failWith(store, job, clock.now(), XSS);
    for (const path of [`/ui/jobs/${job.id}`, "/ui/jobs?status=failed"]) {
      const text = await html(await get(path));
      assert(!text.includes("<script>alert"), `${path} has a raw <script>`);
      assert(!text.includes("<img src=x"), `${path} has a raw <img>`);
      assert(text.includes("&lt;script&gt;alert("), `${path} lacks the escaped payload`);
    }
    const page = await html(await get(`/ui/jobs/${job.id}`));
    assert(page.includes("at handler"), "the stack is shown");
    assert(page.includes('action="/ui/jobs/' + job.id + '/retry"'), "a failed job offers retry");
  });
});

Deno.test("dashboard actions retry, cancel and delete a job and redirect back", async () => {
  await withApi(async ({ post, get, enqueue, store, clock }) => {
    const failed = await failWith(store, await enqueue("noop", {}), clock.now(), "boom");
    const retried = await post(`/ui/jobs/${failed.id}/retry`);
    assertEquals(retried.status, 303);
    assertEquals(retried.headers.get("location"), `/ui/jobs/${failed.id}?done=retried`);
    assertEquals((await store.jobGet(failed.id))!.state, "queued");
    assert((await html(await get(`/ui/jobs/${failed.id}?done=retried`))).includes("queued again"));

    const canceled = await post(`/ui/jobs/${failed.id}/cancel`);
    assertEquals(canceled.status, 303);
    assertEquals((await store.jobGet(failed.id))!.state, "canceled");
    assertEquals((await post(`/ui/jobs/${failed.id}/delete`)).status, 303);
    assertEquals(await store.jobGet(failed.id), null);
    await assertError(await post(`/ui/jobs/${failed.id}/retry`), 404, "job_not_found");
  });
});

Deno.test("retry all failed of a queue queues every failed job of it and no other", async () => {
  await withApi(async ({ post, enqueue, store, clock }) => {
    const mine = [];
    for (let i = 0; i < 3; i++) {
      mine.push(
        await failWith(store, await enqueue("noop", {}, { queue: "q1" }), clock.now(), "x"),
      );
    }
    const other = await failWith(
      store,
      await enqueue("noop", {}, { queue: "q2" }),
      clock.now(),
      "x",
    );
    const res = await post("/ui/queues/q1/retry-failed");
    assertEquals(res.status, 303);
    for (const job of mine) assertEquals((await store.jobGet(job.id))!.state, "queued");
    assertEquals((await store.jobGet(other.id))!.state, "failed");
    const api = await post("/queues/q2/retry-failed");
    assertEquals(await api.json(), { retried: 1 });
    await assertError(await post("/queues/no%20spaces/retry-failed"), 422, "invalid_input");
  });
});

Deno.test("the job table filters, finds by id, pages, and names a bad filter", async () => {
  await withApi(async ({ get, enqueue }) => {
    const a = await enqueue("noop", {}, { queue: "qa" });
    const b = await enqueue("noop", {}, { queue: "qb" });
    const filtered = await html(await get("/ui/jobs?queue=qa&status=&task="));
    assert(filtered.includes(a.id) && !filtered.includes(b.id));
    const found = await get(`/ui/jobs?q=${b.id.toLowerCase()}`);
    assertEquals(found.status, 303);
    assertEquals(found.headers.get("location"), `/ui/jobs/${b.id}`);
    // An id one character off b's, and never a's: ids made in one millisecond differ by one
    // in the last character, so a's may be b's with its last character one lower.
    const last = [..."012"].find((c) => !b.id.endsWith(c) && !a.id.endsWith(c))!;
    const unknown = b.id.slice(0, -1) + last;
    const gone = await html(await get(`/ui/jobs?q=${unknown}`));
    assert(gone.includes("No jobs match.") && gone.includes('id="scan-note"'), gone);
    const first = await html(await get("/ui/jobs?limit=1"));
    assert(first.includes(b.id) && !first.includes(a.id) && first.includes('rel="next"'));
    const error = await assertError(await get("/ui/jobs?status=done"), 422, "invalid_input");
    assert(JSON.stringify(error).includes("status"));
  });
});

Deno.test("the workers page lists each live worker with its running jobs", async () => {
  await withApi(async ({ get, store, clock }) => {
    assert((await html(await get("/ui/workers"))).includes("No worker online"));
    await workerBeat(store, {
      worker: {
        id: "host-1:42:abc",
        host: "host-1",
        pid: 42,
        concurrency: 5,
        queues: ["default", "mail"],
        runningJobIds: ["01JD0000000000000000000000"],
        running: 1,
        startedAt: clock.now(),
        lastHeartbeatAt: clock.now(),
        expiresAt: clock.now() + 15_000,
      },
      ttlMs: 15_000,
    });
    const page = await html(await get("/ui/workers"));
    for (
      const text of ["host-1:42:abc", ">42<", "1/5", "default, mail", "01JD0000000000000000000000"]
    ) {
      assert(page.includes(text), text);
    }
  });
});

Deno.test("action forms carry the login's CSRF value when there is one", async () => {
  await withApi(async ({ app, store, enqueue, clock }) => {
    const failed = await failWith(store, await enqueue("noop", {}), clock.now(), "boom");
    const headers = { cookie: "tq_csrf=abc123" };
    for (const path of [`/ui/jobs/${failed.id}`, "/", "/ui/jobs"]) {
      const text = await html(await app.request(path, { headers }));
      assert(text.includes('<input type="hidden" name="_csrf" value="abc123">'), path);
    }
    assert(!(await html(await app.request(`/ui/jobs/${failed.id}`))).includes("_csrf"));
  });
});

Deno.test("an expired job is marked expired on its page and in the job table", async () => {
  await withApi(async ({ get, enqueue, store, clock }) => {
    const job = await enqueue("noop", {}, { expires_in: 1_000 });
    const waiting = await html(await get(`/ui/jobs/${job.id}`));
    assert(waiting.includes("expires"), "the expiry of a waiting job is shown");
    const after = expireJob(job, { now: clock.now() + 2_000, ttlMs: 60_000 });
    await store.jobUpdateMany({ updates: [{ before: job, after }] });
    const page = await html(await get(`/ui/jobs/${job.id}`));
    assert(page.includes('id="job-expired"'), "the job page marks it expired");
    const table = await html(await get("/ui/jobs?status=canceled"));
    assert(table.includes(">expired</span>"), "the job table marks it expired");
  });
});
