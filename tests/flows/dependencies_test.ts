/**
 * Dependencies end to end in one process: a worker runs a child only after its parents
 * finished, hands it their results as `ctx.parents`, and a failing parent cancels the child;
 * over HTTP, `depends_on` is checked field by field and the answer shows the real state.
 */
import { assertEquals } from "../assert.ts";
import { fixture, task, waitForJob } from "../worker/helpers.ts";
import { assertRefused, withApi } from "../http/setup.ts";
import { UnrecoverableError } from "../../src/errors.ts";
import { newJobId } from "../../src/ids.ts";

Deno.test("a child runs after its parents with their results in ctx.parents", async () => {
  const seen: Record<string, unknown>[] = [];
  await using fx = await fixture([
    task("double", (input) => (input as number) * 2),
    task("sum", (_input, ctx) => {
      seen.push(ctx.parents);
      return Object.values(ctx.parents).reduce((a, b) => (a as number) + (b as number), 0);
    }),
  ]);
  const a = await fx.enqueue("double", 1);
  const b = await fx.enqueue("double", 10);
  const child = await fx.enqueue("sum", null, { dependsOn: [a.id, b.id] });
  assertEquals(child.state, "deferred");
  fx.worker({ concurrency: 4 }).start();
  const done = await waitForJob(fx.store, child.id, (j) => j.state === "finished");
  assertEquals(done.result, 22);
  assertEquals(seen, [{ [a.id]: 2, [b.id]: 20 }]);
});

Deno.test("a parent failing for good cancels the child, which never runs", async () => {
  let ran = false;
  await using fx = await fixture([
    task("boom", () => {
      throw new UnrecoverableError("no");
    }),
    task("after", () => ran = true),
  ]);
  const parent = await fx.enqueue("boom", null);
  const child = await fx.enqueue("after", null, { dependsOn: [parent.id] });
  fx.worker().start();
  const canceled = await waitForJob(fx.store, child.id, (j) => j.state === "canceled");
  assertEquals([canceled.cancelReason, ran], [`parent ${parent.id} failed`, false]);
});

Deno.test("POST /jobs with depends_on answers the state the link left the job in", async () => {
  await withApi(async ({ post, enqueue, store }) => {
    const parent = await enqueue("noop", {});
    const res = await post("/jobs", { task: "noop", input: {}, depends_on: [parent.id] });
    assertEquals(res.status, 202);
    const body = await res.json();
    assertEquals(body.status, "deferred");
    const job = await (await post(`/jobs/${parent.id}/cancel`)).json();
    assertEquals(job.dependants, [body.job_id]);
    assertEquals((await store.jobGet(body.job_id))?.state, "canceled");
    const late = await post("/jobs", { task: "noop", input: {}, depends_on: [parent.id] });
    assertEquals((await late.json()).status, "canceled");
  });
});

Deno.test("POST /jobs refuses unknown, malformed and repeated parents by index", async () => {
  await withApi(async (api) => {
    const parent = await api.enqueue("noop", {});
    const unknown = await assertRefused(
      api,
      () => api.post("/jobs", { task: "noop", input: {}, depends_on: [parent.id, newJobId()] }),
      422,
      "invalid_input",
    );
    assertEquals((unknown.issues as { path: string }[]).map((i) => i.path), ["depends_on[1]"]);
    const bad = await assertRefused(
      api,
      () => api.post("/jobs", { task: "noop", input: {}, depends_on: ["x", parent.id, parent.id] }),
      422,
      "invalid_input",
    );
    assertEquals((bad.issues as { path: string }[]).map((i) => i.path), [
      "depends_on[0]",
      "depends_on[2]",
    ]);
  });
});
