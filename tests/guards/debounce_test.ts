import { z } from "zod";
import { assertEquals } from "../assert.ts";
import { debounceIssues, debounceWrite } from "../../src/guards/debounce.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { createTestQueue } from "../../src/testing/mod.ts";
import { createJob } from "../../src/transitions/mod.ts";
import type { Job } from "../../src/job.ts";
import { assertRefused, withApi } from "../http/setup.ts";

const request = (id: string, input: number, at: number) => createJob({ id, task: "t", input }, at);

Deno.test("a debounce's first request waits wait_ms; the next joins it until it starts", () => {
  const first = debounceWrite({ job: request("a", 1, 0), record: null, held: null, waitMs: 100 });
  assertEquals([first.before, first.after.state, first.after.runAt], [null, "scheduled", 100]);
  assertEquals(first.record, { jobId: "a", firstAt: 0 });
  const next = debounceWrite({
    job: request("b", 2, 60),
    record: first.record,
    held: first.after,
    waitMs: 100,
    maxWaitMs: 120,
  });
  assertEquals([next.after.id, next.after.input, next.after.runAt], ["a", 2, 120]);
  assertEquals(next.record.firstAt, 0);
  const started: Job = { ...first.after, state: "started", attempts: 1 };
  const fresh = debounceWrite({
    job: request("c", 3, 70),
    record: first.record,
    held: started,
    waitMs: 100,
  });
  assertEquals([fresh.before, fresh.after.id, fresh.record.firstAt], [null, "c", 70]);
});

Deno.test("bad debounce options are issues naming the field", () => {
  const paths = (debounce: unknown, more: Record<string, unknown> = {}) =>
    // deno-lint-ignore no-explicit-any
    debounceIssues({ debounce: debounce as any, ...more }).map((issue) => issue.path);
  assertEquals(paths({ key: "", waitMs: 1 }), ["debounce.key"]);
  assertEquals(paths({ key: "k", waitMs: 0 }), ["debounce.wait_ms"]);
  assertEquals(paths({ key: "k", waitMs: 1.5 }), ["debounce.wait_ms"]);
  assertEquals(paths({ key: "k", waitMs: 100, maxWaitMs: 50 }), ["debounce.max_wait_ms"]);
  assertEquals(paths({ key: "k", waitMs: 100 }, { delay: 5 }), ["debounce"]);
  assertEquals(paths({ key: "k", waitMs: 100 }, { idempotencyKey: "i" }), ["debounce"]);
  assertEquals(paths({ key: "k", waitMs: 100, maxWaitMs: 100 }), []);
});

Deno.test("a burst of debounced enqueues runs the job once, with the last input", async () => {
  const seen: number[] = [];
  const save = defineTask({
    name: "save",
    input: z.object({ n: z.number() }),
    handler: ({ n }) => void seen.push(n),
  });
  await using queue = await createTestQueue({ registry: new Registry([save]) });
  const debounce = { key: "doc:1", waitMs: 1_000 };
  const jobs: Job[] = [];
  for (const n of [1, 2, 3]) {
    jobs.push(await save.enqueue({ n }, { debounce }));
    queue.clock.advance(400);
  }
  assertEquals(new Set(jobs.map((job) => job.id)).size, 1);
  await queue.drain();
  assertEquals(seen, [3]);
});

Deno.test("POST /jobs with debounce answers 202 with the same job_id, marked debounced", async () => {
  await withApi(async (api) => {
    const body = (n: number) => ({
      task: "noop",
      input: { n },
      debounce: { key: "user:1", wait_ms: 1_000, max_wait_ms: 5_000 },
    });
    const start = api.clock.now();
    const first = await api.post("/jobs", body(1));
    assertEquals(first.status, 202);
    const created = await first.json();
    assertEquals([created.status, created.debounced], ["scheduled", undefined]);
    api.clock.advance(500);
    const second = await api.post("/jobs", body(2));
    assertEquals(second.status, 202);
    const joined = await second.json();
    assertEquals([joined.job_id, joined.debounced], [created.job_id, true]);
    const job = await (await api.get(`/jobs/${created.job_id}`)).json();
    assertEquals(job.run_at, new Date(start + 1_500).toISOString());
    const refused = async (extra: Record<string, unknown>) => {
      const answer = await assertRefused(
        api,
        () => api.post("/jobs", { task: "noop", input: {}, ...extra }),
        422,
        "invalid_input",
      );
      return (answer.issues as { path: string }[]).map((issue) => issue.path);
    };
    assertEquals(await refused({ debounce: { key: "k", wait_ms: 0 } }), ["debounce.wait_ms"]);
    assertEquals(await refused({ debounce: { wait_ms: 10 } }), ["debounce.key"]);
    assertEquals(
      await refused({ debounce: { key: "k", wait_ms: 100, max_wait_ms: 10 } }),
      ["debounce.max_wait_ms"],
    );
    assertEquals(await refused({ debounce: { key: "k", wait_ms: 10, x: 1 } }), ["debounce.x"]);
    assertEquals(await refused({ debounce: { key: "k", wait_ms: 10 }, delay: 5 }), ["debounce"]);
    const bulk = await api.post("/jobs/bulk", {
      jobs: [{ task: "noop", input: {}, debounce: { key: "k", wait_ms: 10 } }],
    });
    assertEquals(bulk.status, 422);
    const { error } = await bulk.json();
    assertEquals(error.rejected[0].error.issues[0].path, "debounce");
  });
});
