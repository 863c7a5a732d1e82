import { assertEquals } from "../assert.ts";
import type { Job } from "../../src/job.ts";
import { silentLogger } from "../../src/log.ts";
import type { Store } from "../../src/store/store.ts";
import { cancelJob, failAttempt, finishJob } from "../../src/transitions/mod.ts";
import { Completer } from "../../src/worker/completer.ts";
import { RunningJob, type RunningJobs } from "../../src/worker/running_job.ts";
import { WriteLock } from "../../src/worker/write_lock.ts";
import { advanceUntil, type Fixture, fixture, task } from "./helpers.ts";

/** A store that counts its `jobUpdateMany` calls. */
function counting(store: Store): { store: Store; calls: () => number } {
  let calls = 0;
  const counted = new Proxy(store, {
    get(target, property) {
      if (property === "jobUpdateMany") calls++;
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: counted, calls: () => calls };
}

/** `n` jobs claimed by worker "w", each with its running entry, and a completer over them. */
async function setup(fx: Fixture, n: number, before?: () => Promise<void>) {
  await Promise.all(Array.from({ length: n }, () => fx.enqueue("noop", {})));
  const claimed = await fx.store.jobClaim({
    queues: ["default"],
    workerId: "w",
    limit: n,
    leaseMs: 30_000,
    now: fx.clock.now(),
  });
  const running: RunningJobs = new Map(claimed.map((job) => [job.id, new RunningJob(job, 0)]));
  const { store, calls } = counting(fx.store);
  const completer = new Completer({
    store,
    running,
    lock: new WriteLock(),
    workerId: "w",
    clock: fx.clock,
    logger: silentLogger,
    before,
  });
  return { entries: [...running.values()], running, completer, calls };
}

const finish = (job: Job) => finishJob(job, { now: 1, result: "ok", ttlMs: 1_000 });

Deno.test("completer writes a burst of settlements in one store call", async () => {
  await using fx = await fixture([task("noop", () => null)]);
  const { entries, running, completer, calls } = await setup(fx, 40);
  const written = await Promise.all(entries.map((entry) => completer.settle(entry, finish)));
  assertEquals(calls(), 1);
  assertEquals(written.map((job) => job?.state), entries.map(() => "finished"));
  assertEquals(running.size, 0);
  await completer.stop();
});

Deno.test("completer writes nothing until the claim on its way is handled", async () => {
  await using fx = await fixture([task("noop", () => null)]);
  const claim = Promise.withResolvers<void>();
  const { entries, completer, calls } = await setup(fx, 3, () => claim.promise);
  const written = Promise.all(entries.map((entry) => completer.settle(entry, finish)));
  // The flush timer (0 ms, set by settle()) fires before this one, and its flush runs on.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(calls(), 0);
  claim.resolve();
  assertEquals((await written).map((job) => job?.state), entries.map(() => "finished"));
  assertEquals(calls(), 1);
  await completer.stop();
});

Deno.test("a settlement of a job rescued elsewhere resolves null and leaves the record", async () => {
  await using fx = await fixture([task("noop", () => null)]);
  const { entries: [entry], running, completer } = await setup(fx, 1);
  const rescued = failAttempt(entry.job, {
    now: 5,
    error: { name: "LeaseExpiredError", message: "rescued" },
    retryDelayMs: 1_000,
    ttlMs: 1,
  });
  await fx.store.jobUpdateMany({ updates: [{ before: entry.job, after: rescued }] });
  assertEquals(await completer.settle(entry, finish), null);
  assertEquals(await fx.store.jobGet(entry.job.id), rescued);
  assertEquals(running.size, 0);
  await completer.stop();
});

Deno.test("a settlement still lands when a cancel request bumped the version meanwhile", async () => {
  await using fx = await fixture([task("noop", () => null)]);
  const { entries: [entry], completer } = await setup(fx, 1);
  const marked = cancelJob(entry.job, { now: 5, reason: "too late", ttlMs: 1 });
  await fx.store.jobUpdateMany({ updates: [{ before: entry.job, after: marked }] });
  const written = await completer.settle(entry, finish);
  assertEquals([written?.state, written?.result], ["finished", "ok"]);
  assertEquals(await fx.store.jobGet(entry.job.id), written);
  await completer.stop();
});

Deno.test("completer keeps settlements through a store error and writes them later", async () => {
  await using fx = await fixture([task("noop", () => null)]);
  const { entries, running } = await setup(fx, 3);
  let failures = 1;
  const flaky = new Proxy(fx.store, {
    get(target, property) {
      if (property === "jobUpdateMany" && failures-- > 0) {
        return () => Promise.reject(new Error("disk full"));
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const completer = new Completer({
    store: flaky,
    running,
    lock: new WriteLock(),
    workerId: "w",
    clock: fx.clock,
    logger: silentLogger,
  });
  const settled = Promise.all(entries.map((entry) => completer.settle(entry, finish)));
  const written = await advanceUntil(fx.clock, settled, 1_000);
  assertEquals(written.map((job) => job?.state), ["finished", "finished", "finished"]);
  await completer.stop();
});
