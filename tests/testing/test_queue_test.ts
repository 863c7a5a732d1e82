import { z } from "zod";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { InvalidInputError } from "../../src/errors.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { defineSchedule } from "../../src/scheduler/schedule.ts";
import { createTestQueue, FakeClock } from "../../src/testing/mod.ts";
import { QueuePauses } from "../../src/guards/queue_pauses.ts";
import { batchGet } from "../../src/batches/batch_records.ts";

Deno.test("drain() runs enqueued jobs to completion through task.enqueue()", async () => {
  const double = defineTask({ name: "double", input: z.number(), handler: (n) => n * 2 });
  await using queue = await createTestQueue({ registry: new Registry([double]) });
  const jobs = await Promise.all([1, 2, 3].map((n) => double.enqueue(n)));
  await queue.drain();
  const done = await Promise.all(jobs.map((job) => queue.getJob(job.id)));
  assertEquals(done.map((job) => [job?.state, job?.result]), [
    ["finished", 2],
    ["finished", 4],
    ["finished", 6],
  ]);
});

Deno.test("drain() retries after the backoff by moving the fake clock, not by sleeping", async () => {
  let calls = 0;
  const flaky = defineTask({
    name: "flaky",
    input: z.object({}),
    retry: { maxAttempts: 4, backoff: { baseMs: 3_600_000, maxMs: 3_600_000 } },
    handler: (_input, ctx) => {
      calls++;
      if (ctx.attempt < 3) throw new Error(`upstream down (attempt ${ctx.attempt})`);
      return "ok";
    },
  });
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  await using queue = await createTestQueue({ registry: new Registry([flaky]), clock });
  const job = await flaky.enqueue({});
  const started = performance.now();
  await queue.drain();
  const done = await queue.getJob(job.id);
  assertEquals([done?.state, done?.attempts, done?.result, calls], ["finished", 3, "ok", 3]);
  assertEquals(done?.errors.map((e) => e.message), [
    "upstream down (attempt 1)",
    "upstream down (attempt 2)",
  ]);
  assert(
    queue.clock.now() - Date.UTC(2026, 0, 1) >= 2 * 1_800_000,
    "the clock moved past two backoffs",
  );
  assert(performance.now() - started < 5_000, "no real hour passed");
});

Deno.test("drain() leaves a job that runs out of attempts failed", async () => {
  const broken = defineTask({
    name: "broken",
    input: z.unknown(),
    retry: { maxAttempts: 2 },
    handler: () => {
      throw new TypeError("bad");
    },
  });
  await using queue = await createTestQueue({ registry: new Registry([broken]) });
  const job = await broken.enqueue(null);
  await queue.drain();
  const failed = await queue.getJob(job.id);
  assertEquals([failed?.state, failed?.attempts], ["failed", 2]);
});

Deno.test("drain() runs the children a handler enqueues, in other queues too", async () => {
  const child = defineTask({
    name: "child",
    input: z.object({ n: z.int() }),
    handler: ({ n }) => n * 10,
  });
  const parent = defineTask({
    name: "parent",
    input: z.object({ count: z.int() }),
    handler: async ({ count }) => {
      const ids: string[] = [];
      for (let n = 0; n < count; n++) {
        ids.push((await child.enqueue({ n }, { queue: n % 2 ? "odd" : "even" })).id);
      }
      return ids;
    },
  });
  await using queue = await createTestQueue({ registry: new Registry([parent, child]) });
  const job = await parent.enqueue({ count: 4 });
  await queue.drain();
  const ids = (await queue.getJob(job.id))?.result as string[];
  const children = await Promise.all(ids.map((id) => queue.getJob(id)));
  assertEquals(children.map((c) => [c?.queue, c?.state, c?.result]), [
    ["even", "finished", 0],
    ["odd", "finished", 10],
    ["even", "finished", 20],
    ["odd", "finished", 30],
  ]);
});

Deno.test("drain() runs a flow: a job waits for the jobs it depends on and gets their results", async () => {
  const fetchPage = defineTask({
    name: "fetch_page",
    input: z.string(),
    handler: (url) => url.length,
  });
  const total = defineTask({
    name: "total",
    input: z.object({}),
    handler: (_input, ctx) => Object.values(ctx.parents).reduce((a, b) => Number(a) + Number(b), 0),
  });
  await using queue = await createTestQueue({ registry: new Registry([fetchPage, total]) });
  const a = await fetchPage.enqueue("https://a.example", { delay: 60_000 });
  const b = await fetchPage.enqueue("https://bb.example");
  const sum = await total.enqueue({}, { dependsOn: [a.id, b.id] });
  assertEquals((await queue.getJob(sum.id))?.state, "deferred");
  await queue.drain();
  const done = await queue.getJob(sum.id);
  assertEquals([done?.state, done?.result], ["finished", 17 + 18]);
});

Deno.test("task.enqueue() refuses bad input with InvalidInputError before anything is stored", async () => {
  const double = defineTask({ name: "double", input: z.number(), handler: (n) => n * 2 });
  await using queue = await createTestQueue({ registry: new Registry([double]) });
  await assertRejects(() => double.enqueue("two" as never), InvalidInputError, "input");
  const counts = await queue.store.queueCounts();
  assertEquals(counts.reduce((sum, c) => sum + c.queued, 0), 0);
});

Deno.test("runSchedule() enqueues a schedule's job, which drain() runs", async () => {
  const report = defineTask({
    name: "report",
    input: z.object({ kind: z.string() }),
    handler: (i) => i.kind,
  });
  const nightly = defineSchedule({
    name: "nightly",
    cron: "0 3 * * *",
    task: "report",
    input: { kind: "daily" },
  });
  await using queue = await createTestQueue({
    registry: new Registry([report]),
    schedules: [nightly],
  });
  const job = await queue.runSchedule("nightly");
  await queue.drain();
  assertEquals((await queue.getJob(job.id))?.result, "daily");
});

Deno.test("close() unbinds the queue from task.enqueue() and leaves no file behind", async () => {
  const cwd = Deno.cwd();
  const dir = await Deno.makeTempDir({ prefix: "tq_test_queue_" });
  Deno.chdir(dir);
  try {
    const noop = defineTask({ name: "noop", input: z.unknown(), handler: () => null });
    const queue = await createTestQueue({ registry: new Registry([noop]) });
    await noop.enqueue(null);
    await queue.drain();
    await queue.close();
    await assertRejects(() => noop.enqueue(null), Error, "no tq producer");
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("drain() runs a batch and then its completion job", async () => {
  const part = defineTask({ name: "part", input: z.number(), handler: (n) => n });
  const summary = defineTask({ name: "summary", input: z.unknown(), handler: () => "all done" });
  await using queue = await createTestQueue({ registry: new Registry([part, summary]) });
  const { batch } = await queue.producer.enqueueBatch({
    requests: [{ task: "part", input: 1 }, { task: "part", input: 2 }],
    onComplete: { task: "summary", input: {} },
  });
  await queue.drain();
  const status = await batchGet(queue.store, { id: batch!.id });
  assert(status?.batch.completionJobId, "the batch completed");
  const completion = await queue.getJob(status.batch.completionJobId);
  assertEquals([completion?.state, completion?.result], ["finished", "all done"]);
});

Deno.test("drain() waits out a rate limit on the fake clock", async () => {
  const limited = defineTask({
    name: "limited",
    input: z.number(),
    rateLimit: { max: 1, per: 60_000 },
    handler: (n) => n,
  });
  await using queue = await createTestQueue({ registry: new Registry([limited]) });
  const jobs = await Promise.all([1, 2, 3].map((n) => limited.enqueue(n)));
  await queue.drain();
  const done = await Promise.all(jobs.map((job) => queue.getJob(job.id)));
  assertEquals(done.map((job) => job?.state), ["finished", "finished", "finished"]);
  const starts = done.map((job) => job!.startedAt!).sort((a, b) => a - b);
  assert(starts[2] - starts[0] >= 120_000, `starts ${starts.join(", ")}`);
});

Deno.test("drain() leaves the jobs of a paused queue alone", async () => {
  const noop = defineTask({ name: "noop", input: z.unknown(), handler: () => null });
  await using queue = await createTestQueue({ registry: new Registry([noop]) });
  await QueuePauses.of(queue.store, queue.clock).set({ queue: "held", paused: true });
  const held = await noop.enqueue(null, { queue: "held" });
  const free = await noop.enqueue(null);
  await queue.drain();
  assertEquals((await queue.getJob(held.id))?.state, "queued");
  assertEquals((await queue.getJob(free.id))?.state, "finished");
});

Deno.test("drain() sleeps through ctx.sleep on the fake clock and stops at a wait for an event", async () => {
  let charged = 0;
  const checkout = defineTask({
    name: "checkout",
    input: z.object({ order: z.string() }),
    handler: async ({ order }, ctx) => {
      await ctx.sleep("cool_off", 3_600_000);
      const approval = await ctx.waitForEvent<{ by: string }>("approval", {
        event: "order.approved",
        key: order,
        timeoutMs: 86_400_000,
      });
      if (!approval) return "abandoned";
      return await ctx.step("charge", () => `charged ${++charged} by ${approval.by}`);
    },
  });
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  await using queue = await createTestQueue({ registry: new Registry([checkout]), clock });
  const approved = await checkout.enqueue({ order: "o1" });
  const abandoned = await checkout.enqueue({ order: "o2" });
  await queue.drain();
  assertEquals((await queue.getJob(approved.id))?.state, "waiting");
  // The hour of cool-off passed on the fake clock (plus at most a service's poll or two).
  const slept = clock.now() - Date.UTC(2026, 0, 1);
  assert(slept >= 3_600_000 && slept < 3_601_000, `slept ${slept} ms`);
  assertEquals(await queue.sendEvent({ event: "order.approved", key: "o1", data: { by: "ana" } }), {
    woken: 1,
  });
  await queue.drain();
  assertEquals((await queue.getJob(approved.id))?.result, "charged 1 by ana");
  assertEquals((await queue.getJob(abandoned.id))?.state, "waiting");
  clock.advance(86_400_000);
  await queue.drain();
  assertEquals((await queue.getJob(abandoned.id))?.result, "abandoned");
});
