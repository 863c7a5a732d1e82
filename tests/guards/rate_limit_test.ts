import { assertEquals, assertThrows } from "../assert.ts";
import { z } from "zod";
import { admitJobs, liveStarts } from "../../src/guards/rate_limit_window.ts";
import { collectRateLimits } from "../../src/guards/rate_limit.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { withApi } from "../http/setup.ts";

const job = (id: string, task: string, queue = "default") =>
  createJob({ id, task, queue, input: {} }, 0);

Deno.test("a window admits max starts, then frees its oldest start after per ms", () => {
  const limits = { tasks: { send: { max: 2, per: 1_000 } }, queues: {} };
  const first = admitJobs([job("a", "send"), job("b", "send"), job("c", "send")], {
    limits,
    now: 100,
    windows: new Map(),
  });
  assertEquals(first.admitted.map((j) => j.id), ["a", "b"]);
  assertEquals(first.changed.get("task:send"), [100, 100]);
  assertEquals(first.wakeAt, 1_100);
  const windows = first.changed;
  assertEquals(admitJobs([job("c", "send")], { limits, now: 1_099, windows }).admitted, []);
  assertEquals(admitJobs([job("c", "send")], { limits, now: 1_100, windows }).admitted.length, 1);
  assertEquals(liveStarts([100, 600], 1_100, 1_000), [600]);
});

Deno.test("a job counts against both its queue's and its task's window", () => {
  const limits = { tasks: { send: { max: 5, per: 100 } }, queues: { mail: { max: 1, per: 100 } } };
  const jobs = [job("a", "send", "mail"), job("b", "other", "mail"), job("c", "send")];
  const { admitted, changed } = admitJobs(jobs, { limits, now: 0, windows: new Map() });
  assertEquals(admitted.map((j) => j.id), ["a", "c"]);
  assertEquals([...changed.keys()].sort(), ["queue:mail", "task:send"]);
});

Deno.test("bad rate limits are refused where they are defined", () => {
  const input = z.object({});
  const task = assertThrows(
    () => defineTask({ name: "x", input, rateLimit: { max: 0, per: 1_000 }, handler: () => 1 }),
    RangeError,
  );
  assertEquals(task.message.startsWith('rate limit of task "x"'), true);
  const queue = assertThrows(
    () => new Registry([], { queueRateLimits: { mail: { max: 1, per: 1.5 } } }),
    RangeError,
  );
  assertEquals(queue.message.startsWith('rate limit of queue "mail"'), true);
});

Deno.test("workers without limits claim on the plain path", () => {
  const task = defineTask({ name: "t", input: z.object({}), handler: () => 1 });
  assertEquals(collectRateLimits([task], {}), undefined);
  const limited = { ...task, rateLimit: { max: 1, per: 10 } };
  assertEquals(collectRateLimits([limited], {})?.tasks, { t: { max: 1, per: 10 } });
});

Deno.test("GET /tasks shows each task's rate limit", async () => {
  await withApi(async ({ get }) => {
    const { tasks } = await (await get("/tasks")).json();
    for (const task of tasks) assertEquals(task.rate_limit, null);
  });
});
