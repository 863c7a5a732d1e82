/**
 * Shared fixtures of the worker tests: a real KV store in a temp dir, a producer on the
 * same clock, and a way to wait for what the worker does asynchronously.
 *
 * @example
 * ```ts ignore
 * await using fx = await fixture([task("noop", () => null)]);
 * fx.worker().start();
 * const job = await fx.enqueue("noop", {});
 * await waitFor(async () => (await fx.store.jobGet(job.id))?.state === "finished");
 * ```
 * @module
 */
import { z } from "zod";
import { FakeClock } from "../../src/clock.ts";
import type { Job } from "../../src/job.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import type { EnqueueOptions } from "../../src/registry/enqueue_options.ts";
import { defineTask, type Task } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { withLinks } from "../../src/flows/linked_store.ts";
import type { JobChange, JobsWrittenListener, Store } from "../../src/store/store.ts";
import { Worker, type WorkerOptions } from "../../src/worker/worker.ts";

/** A store, a fake clock, a registry and a producer, disposed together. */
export interface Fixture extends AsyncDisposable {
  store: Store;
  clock: FakeClock;
  registry: Registry;
  /** Every job change the store told its `onJobsWritten` listener of, in order. */
  written: JobChange[];
  enqueue(task: string, input: unknown, options?: EnqueueOptions): Promise<Job>;
  /** A worker on this store, clock and registry; stopped when the fixture is disposed. */
  worker(options?: Partial<WorkerOptions>): Worker;
}

/**
 * A fresh KV store in a temp dir, on a fake clock, with these tasks; or the store
 * `openStore` opens on that clock (a Redis store with its own prefix, say).
 */
export async function fixture(
  tasks: Task[] = [],
  openStore?: (clock: FakeClock, onJobsWritten: JobsWrittenListener) => Promise<Store>,
): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "tq_worker_test_" });
  const clock = new FakeClock();
  const written: JobChange[] = [];
  const onJobsWritten = (changes: JobChange[]) => void written.push(...changes);
  const store = openStore
    ? withLinks(await openStore(clock, onJobsWritten))
    : await openKvStore(`${dir}/tq.db`, { clock, onJobsWritten });
  const registry = new Registry(tasks);
  // The callback receivers of tests listen on 127.0.0.1, which callbacks may not reach by default.
  const producer = new Producer({ store, registry, clock, callbackAllow: ["127.0.0.1"] });
  const workers: Worker[] = [];
  return {
    store,
    clock,
    registry,
    written,
    enqueue: (task, input, options) => producer.enqueue({ task, input, ...options }),
    worker(options = {}) {
      const worker = new Worker({ store, registry, clock, logger: silentLogger, ...options });
      workers.push(worker);
      return worker;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(workers.map((worker) => worker.stop()));
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A task taking any input, for tests. */
export function task(name: string, handler: Task["handler"], options: Partial<Task> = {}): Task {
  return defineTask({ name, input: z.unknown(), handler, ...options });
}

/**
 * Resolves once `check` holds, polling the real event loop: the worker's store I/O takes
 * real time even when the clock is fake.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what = "condition",
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until the job's stored record satisfies `check`, and returns it. */
export async function waitForJob(
  store: Store,
  id: string,
  check: (job: Job) => boolean,
  what = "job state",
): Promise<Job> {
  let job: Job | null = null;
  await waitFor(async () => (job = await store.jobGet(id)) !== null && check(job), what);
  return job!;
}

/**
 * Waits until the store's `onJobsWritten` listener has heard a change that leaves the job in
 * a state satisfying `check`, and returns the job as written. Wait on this, not on
 * {@linkcode waitForJob}, before reading `fx.written`: a read can see a commit before the
 * writer's own code, which reports it, runs again.
 */
export async function waitForHeard(
  fx: Fixture,
  id: string,
  check: (job: Job) => boolean,
  what = "job change",
): Promise<Job> {
  const heard = () => fx.written.find(({ after }) => after?.id === id && check(after))?.after;
  await waitFor(() => heard() !== undefined, what);
  return heard()!;
}

/**
 * Moves the fake clock on and lets the services that woke finish their round: until as
 * many sleeps are pending as before (or 200 ms), so fake time never runs ahead of the
 * store I/O it is meant to pace.
 */
export async function advance(clock: FakeClock, ms: number, isDone = () => false) {
  const sleeping = clock.pendingSleeps;
  clock.advance(ms);
  const deadline = Date.now() + 200;
  do await new Promise((resolve) => setTimeout(resolve, 1)); while (
    !isDone() && clock.pendingSleeps < sleeping && Date.now() < deadline
  );
}

/** Moves the fake clock on in steps (see {@linkcode advance}) until `done` settles. */
export async function advanceUntil<T>(clock: FakeClock, done: Promise<T>, stepMs: number) {
  let settled = false;
  done.finally(() => settled = true).catch(() => {});
  while (!settled) await advance(clock, stepMs, () => settled);
  return await done;
}

/** A promise with its resolver, for handlers a test lets finish. */
export function gate(): { promise: Promise<void>; open(): void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { promise, open: () => resolve() };
}

/**
 * `store` with a count of the calls of `method`, for tests of how often a service reads.
 *
 * @example
 * ```ts ignore
 * const counted = countCalls(fx.store, "jobListDue");
 * new Promoter({ store: counted.store, clock, logger }).start();
 * console.log(counted.calls);
 * ```
 */
export function countCalls(store: Store, method: keyof Store): { store: Store; calls: number } {
  const counted = { store, calls: 0 };
  counted.store = new Proxy(store, {
    get(target, name) {
      if (name === method) counted.calls++;
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return counted;
}

/** Enqueues a job of `task` and claims it as worker "w" with a lease of `leaseMs`. */
export async function enqueueAndClaim(fx: Fixture, task: string, leaseMs: number): Promise<Job> {
  const { id } = await fx.enqueue(task, {});
  const [claimed] = await fx.store.jobClaim({
    queues: ["default"],
    workerId: "w",
    limit: 1,
    leaseMs,
    now: fx.clock.now(),
  });
  if (claimed?.id !== id) {
    throw new Error(`claimed ${claimed?.id}, not the job ${id} just enqueued`);
  }
  return claimed;
}
