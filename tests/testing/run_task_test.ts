import { z } from "zod";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { InvalidInputError } from "../../src/errors.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { runTask } from "../../src/testing/mod.ts";

const resize = defineTask({
  name: "resize",
  input: z.object({ url: z.url(), width: z.int().positive().default(320) }),
  handler: (input, ctx) => {
    ctx.log("resizing", { width: input.width });
    ctx.progress(50);
    return { ...input, attempt: ctx.attempt, parents: ctx.parents, jobId: ctx.jobId };
  },
});

Deno.test("runTask() parses the input with the task's schema and resolves with the result", async () => {
  const result = await runTask(resize, { url: "https://example.com/a.png" });
  assertEquals(result.width, 320);
  assertEquals(result.attempt, 1);
  assertEquals(result.parents, {});
  assert(result.jobId.length > 0);
});

Deno.test("runTask() refuses bad input with InvalidInputError naming the field", async () => {
  const error = await assertRejects(
    () => runTask(resize, { url: "not a url" } as never),
    InvalidInputError,
  );
  assertEquals(error.issues.map((issue) => issue.path), ["input.url"]);
});

Deno.test("runTask() gives the handler its attempt, parents, log and progress", async () => {
  const lines: unknown[] = [];
  const progress: unknown[] = [];
  const result = await runTask(resize, { url: "https://example.com/a.png", width: 10 }, {
    attempt: 3,
    jobId: "01JTEST",
    parents: { "01JPARENT": { ok: true } },
    onLog: (message, fields) => lines.push([message, fields]),
    onProgress: (value) => progress.push(value),
  });
  assertEquals([result.attempt, result.jobId], [3, "01JTEST"]);
  assertEquals(result.parents, { "01JPARENT": { ok: true } });
  assertEquals(lines, [["resizing", { width: 10 }]]);
  assertEquals(progress, [50]);
});

Deno.test("runTask() rejects a bad progress value as a worker would", async () => {
  const bad = defineTask({
    name: "bad_progress",
    input: z.unknown(),
    handler: (_input, ctx) => ctx.progress(250),
  });
  await assertRejects(() => runTask(bad, null), RangeError);
});

Deno.test("runTask() hands the handler a signal the test can abort", async () => {
  const waits = defineTask({
    name: "waits",
    input: z.unknown(),
    handler: (_input, ctx) =>
      new Promise((_, reject) =>
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))
      ),
  });
  const controller = new AbortController();
  const running = runTask(waits, null, { signal: controller.signal });
  controller.abort(new Error("stop"));
  await assertRejects(() => running, Error, "stop");
});

Deno.test("runTask() refuses a result that is not JSON", async () => {
  const big = defineTask({ name: "big", input: z.unknown(), handler: () => 10n });
  await assertRejects(() => runTask(big, null), TypeError, "not JSON");
});

Deno.test("runTask() aborts the signal and rejects at the timeout, even if the handler ignores it", async () => {
  let signal: AbortSignal | undefined;
  const stuck = defineTask({
    name: "stuck",
    input: z.unknown(),
    timeout: 1,
    handler: (_input, ctx) => {
      signal = ctx.signal;
      return new Promise(() => {});
    },
  });
  const error = await assertRejects(() => runTask(stuck, null), DOMException);
  assertEquals(error.name, "TimeoutError");
  assert(signal?.aborted);
});
