import { assert, assertEquals } from "../assert.ts";
import { readSse, type SseEvent } from "../../src/cli/sse.ts";
import type { Job } from "../../src/job.ts";
import type { Store } from "../../src/store/store.ts";
import { claimJob, finishJob, reportProgress } from "../../src/transitions/mod.ts";
import { type Api, assertError, override, withApi } from "./setup.ts";

/** Serves the app on a free port, with the fake clock ticking 100 ms every 2 ms meanwhile. */
async function served(api: Api, fn: (base: string) => Promise<void>) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    api.app.fetch,
  );
  const ticker = setInterval(() => api.clock.advance(100), 2);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    clearInterval(ticker);
    await server.shutdown();
  }
}

async function next(events: AsyncGenerator<SseEvent>): Promise<SseEvent> {
  const { value, done } = await events.next();
  assert(!done, "the stream ended early");
  return value;
}

async function update(store: Store, id: string, change: (job: Job) => Job) {
  const before = (await store.jobGet(id))!;
  const after = change(before);
  assertEquals((await store.jobUpdateMany({ updates: [{ before, after }] })).applied, [id]);
}

Deno.test("GET /jobs/{id}/events sends the state at once, each change, and ends when the job ends", async () => {
  await withApi(async (api) => {
    const job = await api.enqueue("noop", {});
    await served(api, async (base) => {
      const res = await fetch(`${base}/jobs/${job.id}/events`);
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("content-type"), "text/event-stream");
      const events = readSse(res.body!);
      const first = await next(events);
      assertEquals([first.event, JSON.parse(first.data).status], ["state", "queued"]);
      const now = api.clock.now();
      await update(
        api.store,
        job.id,
        (j) => claimJob(j, { workerId: "w", now, leaseMs: 60_000 }),
      );
      assertEquals(JSON.parse((await next(events)).data).status, "started");
      await update(api.store, job.id, (j) => reportProgress(j, { progress: 50 }));
      const progressed = JSON.parse((await next(events)).data);
      assertEquals([progressed.status, progressed.progress], ["started", 50]);
      await update(api.store, job.id, (j) => finishJob(j, { now, result: 7, ttlMs: 1e6 }));
      const last = JSON.parse((await next(events)).data);
      assertEquals([last.status, last.result], ["finished", 7]);
      assertEquals((await events.next()).done, true, "the stream ends after a terminal state");
    });
  });
});

Deno.test("GET /jobs/{id}/events of an ended job sends it once and ends", async () => {
  await withApi(async (api) => {
    const job = await api.enqueue("noop", {});
    await api.post(`/jobs/${job.id}/cancel`);
    await served(api, async (base) => {
      const text = await (await fetch(`${base}/jobs/${job.id}/events`)).text();
      const [event, data, ...rest] = text.split("\n");
      assertEquals(event, "event: state");
      assertEquals(JSON.parse(data.slice("data: ".length)).status, "canceled");
      assertEquals(rest.filter((line) => line !== ""), []);
    });
  });
});

Deno.test("GET /jobs/{id}/events of an unknown job answers 404 JSON", async () => {
  await withApi(async (api) => {
    await assertError(
      await api.get("/jobs/01JD0000000000000000000000/events"),
      404,
      "job_not_found",
    );
  });
});

Deno.test("a quiet stream gets keep-alive comments", async () => {
  await withApi(async (api) => {
    const job = await api.enqueue("noop", {});
    await served(api, async (base) => {
      const controller = new AbortController();
      const res = await fetch(`${base}/jobs/${job.id}/events`, { signal: controller.signal });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!text.includes(": keep-alive")) text += (await reader.read()).value;
      controller.abort();
      await reader.cancel().catch(() => {});
      assert(api.clock.now() - job.createdAt >= 15_000, "not before 15 s of quiet");
    });
  });
});

Deno.test("a stream stops reading the store once its client goes away", async () => {
  let reads = 0;
  const counting = (store: Store) =>
    override(store, {
      jobGet: (id: string) => {
        reads++;
        return store.jobGet(id);
      },
      jobGetMany: (ids: string[]) => {
        reads++;
        return store.jobGetMany(ids);
      },
    });
  await withApi(async (api) => {
    const job = await api.enqueue("noop", {});
    await served(api, async (base) => {
      const controller = new AbortController();
      const res = await fetch(`${base}/jobs/${job.id}/events`, { signal: controller.signal });
      const events = readSse(res.body!);
      await next(events);
      while (reads < 5) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      await events.return(undefined).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 50));
      const after = reads;
      await new Promise((resolve) => setTimeout(resolve, 100)); // ~50 more fake polls
      assertEquals(reads, after, "no reads after the client left");
    });
  }, counting);
});
