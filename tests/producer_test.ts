import { assertEquals, assertRejects } from "./assert.ts";
import { z } from "zod";
import { FakeClock } from "../src/clock.ts";
import { InvalidInputError, UnknownTaskError } from "../src/errors.ts";
import { Producer } from "../src/producer.ts";
import { defineTask } from "../src/registry/define_task.ts";
import { Registry } from "../src/registry/registry.ts";
import { openKvStore } from "../src/open_kv_store.ts";

const greet = defineTask({
  name: "greet",
  queue: "mail",
  priority: 3,
  retry: { maxAttempts: 4, backoff: { baseMs: 10 } },
  input: z.object({ name: z.string().min(1) }),
  handler: ({ name }) => `hello ${name}`,
});

async function withProducer(fn: (producer: Producer, clock: FakeClock) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const store = await openKvStore(`${dir}/tq.db`);
  const clock = new FakeClock();
  try {
    await fn(new Producer({ store, registry: new Registry([greet]), clock }), clock);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("producer applies the task's defaults and the request's overrides", () =>
  withProducer(async (producer, clock) => {
    const job = await producer.enqueue({ task: "greet", input: { name: "Ada" } });
    assertEquals([job.queue, job.priority, job.maxAttempts], ["mail", 3, 4]);
    assertEquals(job.backoff, { baseMs: 10, maxMs: 3_600_000 });
    const later = await producer.enqueue({
      task: "greet",
      input: { name: "Bo" },
      queue: "urgent",
      delay: 5_000,
    });
    assertEquals([later.queue, later.state, later.runAt], [
      "urgent",
      "scheduled",
      clock.now() + 5_000,
    ]);
    assertEquals(await producer.store.jobGet(later.id), later);
  }));

Deno.test("producer refuses bad input and bad options together, writing nothing", () =>
  withProducer(async (producer) => {
    const error = await assertRejects(
      () => producer.enqueue({ task: "greet", input: { name: "" }, priority: 1.5, queue: "a b" }),
      InvalidInputError,
    );
    assertEquals(error.issues.map((i) => i.path), ["queue", "priority", "input.name"]);
    await assertRejects(() => producer.enqueue({ task: "nope", input: {} }), UnknownTaskError);
    await assertRejects(
      () => producer.enqueue({ task: "greet", input: { name: "x" }, delay: 1, runAt: 5 }),
      InvalidInputError,
    );
    assertEquals(await producer.store.queueCounts(), []);
  }));

Deno.test("producer sets an expiry from expiresIn or expiresAt and refuses one before the start", () =>
  withProducer(async (producer, clock) => {
    const input = { name: "Ada" };
    const soon = await producer.enqueue({ task: "greet", input, expiresIn: 1_000 });
    assertEquals(soon.startBy, clock.now() + 1_000);
    const at = new Date(clock.now() + 9_000);
    const dated = await producer.enqueue({ task: "greet", input, delay: 5_000, expiresAt: at });
    assertEquals(dated.startBy, at.getTime());
    const refused = async (options: Record<string, unknown>) =>
      (await assertRejects(
        () => producer.enqueue({ task: "greet", input, ...options }),
        InvalidInputError,
      )).issues.map((i) => i.path);
    assertEquals(await refused({ expiresIn: 0 }), ["expires_in"]);
    assertEquals(await refused({ expiresIn: 5_000, delay: 5_000 }), ["expires_in"]);
    assertEquals(await refused({ expiresAt: new Date(NaN) }), ["expires_at"]);
    assertEquals(await refused({ expiresAt: clock.now() }), ["expires_at"]);
    assertEquals(await refused({ expiresIn: 1, expiresAt: clock.now() + 5 }), ["expires_at"]);
  }));

Deno.test("enqueueMany stores every job or none", () =>
  withProducer(async (producer) => {
    await assertRejects(() =>
      producer.enqueueMany([
        { task: "greet", input: { name: "ok" } },
        { task: "greet", input: {} },
      ]), InvalidInputError);
    assertEquals(await producer.store.queueCounts(), []);
    const jobs = await producer.enqueueMany([
      { task: "greet", input: { name: "a" } },
      { task: "greet", input: { name: "b" } },
    ]);
    assertEquals((await producer.store.queueCounts())[0].queued, jobs.length);
  }));

Deno.test("a bulk enqueue hands the store the size of each job it measured", async () => {
  const dir = await Deno.makeTempDir();
  const store = await openKvStore(`${dir}/tq.db`);
  const handed: (readonly number[] | undefined)[] = [];
  const recording = new Proxy(store, {
    get(target, property) {
      if (property === "jobInsertMany") {
        return (params: Parameters<typeof store.jobInsertMany>[0]) => {
          handed.push(params.bytes);
          return target.jobInsertMany(params);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  try {
    const producer = new Producer({ store: recording, registry: new Registry([greet]) });
    const names = ["a", "bb", "ccc"];
    const { jobIds } = await producer.enqueueBatch({
      requests: names.map((name) => ({ task: "greet", input: { name } })),
    });
    const jobs = await store.jobGetMany(jobIds);
    assertEquals(handed, [jobs.map((job) => store.jobBytes(job!))]);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
