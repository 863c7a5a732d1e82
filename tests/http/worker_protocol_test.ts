/**
 * The worker protocol's routes, through `app.request` on a real KV store: claims of
 * external tasks with lease tokens, heartbeats, complete, fail, log, and the 409 of a
 * token that no longer holds its job's lease.
 */
import { jobLogList } from "../../src/job_log/job_log.ts";
import { z } from "zod";
import { assert, assertEquals } from "../assert.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { abandonedAttempt } from "../../src/maintenance/rescuer.ts";
import { promoteJob } from "../../src/transitions/mod.ts";
import { pyNoop, pyWork } from "../fixtures/external_tasks.ts";
import { ADMIN, READER, TOKENS, withSecureApi } from "../security/secure_api.ts";
import { type Api, assertError, assertRefused, override, withApi } from "./setup.ts";
import { workerList } from "../../src/presence/worker_registry.ts";

const external = [pyWork, pyNoop];

function withProtocol(fn: (api: Api) => Promise<void>): Promise<void> {
  return withApi(fn, undefined, external);
}

interface Claimed {
  id: string;
  task: string;
  input: unknown;
  attempt: number;
  max_attempts: number;
  lease_token: string;
  lease_expires_at: string;
  parents: Record<string, unknown>;
}

async function claim(api: Api, body: Record<string, unknown> = {}): Promise<Claimed[]> {
  const res = await api.post("/worker/claim", {
    queues: ["python"],
    limit: 10,
    lease_ms: 30_000,
    worker: "py-1",
    ...body,
  });
  assertEquals(res.status, 200, await res.clone().text());
  return (await res.json()).jobs;
}

Deno.test("a claim hands out a job of an external task with its lease token", async () => {
  await withProtocol(async (api) => {
    const job = await api.enqueue("py_work", { n: 2 });
    const [claimed] = await claim(api, { running: [] });
    assertEquals(
      [claimed.id, claimed.task, claimed.input, claimed.attempt, claimed.max_attempts],
      [job.id, "py_work", { n: 2 }, 1, 3],
    );
    assertEquals(claimed.parents, {});
    assertEquals(claimed.lease_expires_at, new Date(api.clock.now() + 30_000).toISOString());
    const stored = (await api.store.jobGet(job.id))!;
    assertEquals([stored.state, stored.workerId], ["started", "py-1"]);
    const [worker] = await workerList(api.store, { now: api.clock.now() });
    assertEquals([worker.id, worker.queues, worker.runningJobIds], ["py-1", ["python"], [
      job.id,
    ]]);
  });
});

Deno.test("a claim cancels an expired job as expired instead of handing it out", async () => {
  await withProtocol(async (api) => {
    const stale = await api.enqueue("py_work", { n: 1 }, { expires_in: 1_000 });
    api.clock.advance(2_000);
    const fresh = await api.enqueue("py_work", { n: 2 });
    assertEquals((await claim(api)).map((job) => job.id), [fresh.id]);
    const gone = (await api.store.jobGet(stale.id))!;
    assertEquals([gone.state, gone.cancelReason, gone.attempts], ["canceled", "expired", 0]);
  });
});

Deno.test("a claim of a queue without external tasks is refused (TypeScript workers own it)", async () => {
  await withProtocol(async (api) => {
    await api.enqueue("noop", {});
    await assertRefused(
      api,
      () => api.post("/worker/claim", { queues: ["default"], worker: "py-1" }),
      422,
      "invalid_input",
    );
  });
});

Deno.test("an empty claim waits for wait_ms, and a new job wakes it at once", async () => {
  await withProtocol(async (api) => {
    const { clock } = api;
    const asleep = clock.pendingSleeps + 1;
    const empty = claim(api, { wait_ms: 300 });
    await clock.untilSleeping(asleep);
    clock.advance(299);
    assertEquals(clock.pendingSleeps, asleep, "still waiting before wait_ms");
    clock.advance(1);
    assertEquals(await empty, []);
    const waiting = claim(api, { wait_ms: 20_000 });
    await clock.untilSleeping(asleep);
    const job = await api.enqueue("py_noop", null);
    // Woken by the enqueue: the clock has not moved.
    const [claimed] = await waiting;
    assertEquals(claimed.id, job.id);
  });
});

Deno.test("complete finishes the job with its result; the spent token then gets 409", async () => {
  await withProtocol(async (api) => {
    const job = await api.enqueue("py_work", { n: 2 });
    const [claimed] = await claim(api);
    const token = { lease_token: claimed.lease_token };
    const res = await api.post(`/jobs/${job.id}/complete`, { ...token, result: { n: 4 } });
    assertEquals(res.status, 200);
    assertEquals([(await res.json()).status, (await api.store.jobGet(job.id))!.result], [
      "finished",
      { n: 4 },
    ]);
    const error = await assertRefused(
      api,
      () => api.post(`/jobs/${job.id}/complete`, { ...token, result: 1 }),
      409,
      "lease_lost",
    );
    assertEquals(error.state, "finished");
  });
});

Deno.test("fail with retry schedules the next attempt; retry false fails for good", async () => {
  await withProtocol(async (api) => {
    const job = await api.enqueue("py_work", {});
    const [first] = await claim(api);
    const error = { message: "boom", type: "ValueError", stack: "Traceback ..." };
    let res = await api.post(`/jobs/${job.id}/fail`, { lease_token: first.lease_token, error });
    assertEquals((await res.json()).status, "scheduled");
    const stored = (await api.store.jobGet(job.id))!;
    assertEquals([stored.errors[0].name, stored.errors[0].message], ["ValueError", "boom"]);
    api.clock.advance(1_000);
    await api.store.jobUpdateMany({ updates: [{ before: stored, after: promoteJob(stored) }] });
    const [second] = await claim(api);
    assertEquals(second.attempt, 2);
    res = await api.post(`/jobs/${job.id}/fail`, {
      lease_token: second.lease_token,
      error,
      retry: false,
    });
    assertEquals((await res.json()).status, "failed");
  });
});

Deno.test("a heartbeat extends the lease and records progress", async () => {
  await withProtocol(async (api) => {
    const job = await api.enqueue("py_work", {});
    const [claimed] = await claim(api);
    api.clock.advance(20_000);
    const res = await api.post(`/jobs/${job.id}/heartbeat`, {
      lease_token: claimed.lease_token,
      progress: 40,
    });
    assertEquals(res.status, 200);
    assertEquals(
      (await res.json()).lease_expires_at,
      new Date(api.clock.now() + 30_000).toISOString(),
    );
    assertEquals((await api.store.jobGet(job.id))!.progress, 40);
    await assertError(
      await api.post(`/jobs/${job.id}/heartbeat`, {
        lease_token: claimed.lease_token,
        progress: 400,
      }),
      422,
      "invalid_input",
    );
  });
});

Deno.test("cancel shows up as 409 on the next heartbeat, and the job ends canceled", async () => {
  await withProtocol(async (api) => {
    const job = await api.enqueue("py_work", {});
    const [claimed] = await claim(api);
    assertEquals((await api.post(`/jobs/${job.id}/cancel`)).status, 200);
    const res = await api.post(`/jobs/${job.id}/heartbeat`, { lease_token: claimed.lease_token });
    const error = await assertError(res, 409, "lease_lost");
    assertEquals(error.state, "canceled");
    assertEquals((await api.store.jobGet(job.id))!.state, "canceled");
  });
});

Deno.test("an expired lease is refused; after the rescue and a new claim the old token stays refused", async () => {
  await withProtocol(async (api) => {
    const job = await api.enqueue("py_work", {});
    const [old] = await claim(api, { lease_ms: 1_000 });
    api.clock.advance(1_500);
    const expired = await assertRefused(
      api,
      () => api.post(`/jobs/${job.id}/heartbeat`, { lease_token: old.lease_token }),
      409,
      "lease_lost",
    );
    assertEquals(expired.state, "started");
    const held = (await api.store.jobGet(job.id))!;
    const rescued = abandonedAttempt(held, api.clock.now(), 60_000);
    const queued = promoteJob(rescued);
    await api.store.jobUpdateMany({ updates: [{ before: held, after: queued }] });
    const [again] = await claim(api); // the same worker name claims it again
    assertEquals(again.attempt, 2);
    const error = await assertRefused(
      api,
      () => api.post(`/jobs/${job.id}/complete`, { lease_token: old.lease_token, result: 1 }),
      409,
      "lease_lost",
    );
    assertEquals(error.state, "started");
    const res = await api.post(`/jobs/${job.id}/complete`, { lease_token: again.lease_token });
    assertEquals(res.status, 200);
  });
});

Deno.test("a token tq did not make is a 404", async () => {
  await withProtocol(async (api) => {
    const job = await api.enqueue("py_work", {});
    await claim(api);
    await assertError(
      await api.post(`/jobs/${job.id}/complete`, { lease_token: "forged!" }),
      404,
      "job_not_found",
    );
  });
});

Deno.test("log lines are kept with the job's attempt", async () => {
  await withProtocol(async (api) => {
    const job = await api.enqueue("py_work", {});
    const [claimed] = await claim(api);
    const res = await api.post(`/jobs/${job.id}/log`, {
      lease_token: claimed.lease_token,
      lines: [{ message: "resizing" }, { message: "done", fields: { px: 640 } }],
    });
    assertEquals(await res.json(), { written: 2 });
    const lines = await jobLogList(api.store, { jobId: job.id, limit: 10 });
    assertEquals(lines.map((l) => [l.message, l.attempt, l.workerId]), [
      ["resizing", 1, "py-1"],
      ["done", 1, "py-1"],
    ]);
  });
});

Deno.test("jobs cannot cross between external queues and TypeScript queues", async () => {
  await withProtocol(async (api) => {
    await assertRefused(
      api,
      () => api.post("/jobs", { task: "py_work", input: {}, queue: "default" }),
      422,
      "invalid_input",
    );
    await assertRefused(
      api,
      () => api.post("/jobs", { task: "noop", input: {}, queue: "python" }),
      422,
      "invalid_input",
    );
  });
});

Deno.test("a registry refuses a queue that mixes external tasks and handlers; an external task needs a queue", () => {
  const external = defineTask({ name: "ext", queue: "shared", input: z.unknown() });
  const handled = defineTask({
    name: "handled",
    queue: "shared",
    input: z.unknown(),
    handler: () => null,
  });
  let message = "";
  try {
    new Registry([external, handled]);
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.includes('queue "shared"'), message);
  let refused = "";
  try {
    // @ts-expect-error: without a handler a task must name its queue (an external task).
    defineTask({ name: "x", input: z.unknown() });
  } catch (error) {
    refused = (error as Error).message;
  }
  assert(refused.includes("queue of its own"), refused);
});

Deno.test("the worker protocol is in the OpenAPI document", async () => {
  await withProtocol(async (api) => {
    const doc = await (await api.get("/openapi.json")).json();
    for (const path of ["/worker/claim", "/jobs/{id}/heartbeat", "/jobs/{id}/fail"]) {
      assert(doc.paths[path]?.post, path);
    }
  });
});

Deno.test("GET /tasks marks external tasks", async () => {
  await withProtocol(async (api) => {
    const { tasks } = await (await api.get("/tasks")).json();
    const external = (name: string) =>
      tasks.find((t: { name: string }) => t.name === name).external;
    assertEquals([external("py_work"), external("noop")], [true, false]);
  });
});

Deno.test("completes arriving together share one store write; a second change of a job waits for the first", async () => {
  let writes = 0;
  await withApi(
    async (api) => {
      for (let i = 0; i < 30; i++) await api.enqueue("py_noop", i);
      const claimed = await claim(api, { limit: 30 });
      writes = 0;
      const [first] = claimed;
      const answers = await Promise.all([
        api.post(`/jobs/${first.id}/heartbeat`, { lease_token: first.lease_token }),
        ...claimed.map((job) =>
          api.post(`/jobs/${job.id}/complete`, { lease_token: job.lease_token, result: job.input })
        ),
      ]);
      assertEquals(answers.map((res) => res.status), Array(31).fill(200));
      assertEquals(writes, 2, "one write for the burst, one for the job changed twice");
      const { queues } = await (await api.get("/queues")).json();
      assertEquals(queues.find((q: { name: string }) => q.name === "python").finished, 30);
    },
    (store) =>
      override(store, {
        jobUpdateMany: (params) => {
          writes++;
          return store.jobUpdateMany(params);
        },
      }),
    external,
  );
});

Deno.test("claims follow tq worker's rules: priority first, nothing from a paused queue", async () => {
  await withProtocol(async (api) => {
    const low = await api.enqueue("py_noop", "low", { priority: 5 });
    const high = await api.enqueue("py_noop", "high", { priority: 0 });
    assertEquals((await api.post("/queues/python/pause")).status, 200);
    assertEquals(await claim(api, { limit: 1 }), []);
    assertEquals((await api.post("/queues/python/resume")).status, 200);
    assertEquals((await claim(api, { limit: 1 })).map((job) => job.id), [high.id]);
    assertEquals((await claim(api, { limit: 1 })).map((job) => job.id), [low.id]);
  });
});

Deno.test("the worker protocol needs the admin token when the API has tokens", async () => {
  await withSecureApi({ tokens: TOKENS }, async ({ app }) => {
    const claim = (token?: string) =>
      app.request("/worker/claim", {
        method: "POST",
        body: JSON.stringify({ queues: ["python"], worker: "py-1" }),
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      });
    assertEquals((await claim()).status, 401);
    assertEquals((await claim(READER)).status, 403);
    // The admin gets past the guard: this registry has no external queue, hence a 422.
    await assertError(await claim(ADMIN), 422, "invalid_input");
  });
});
