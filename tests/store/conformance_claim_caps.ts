/**
 * Conformance of capped claims (`Store.jobClaimCapped`): at most the cap of a task or a
 * queue is taken per claim, across the claim's queues; jobs past a cap stay queued and
 * untouched while the jobs behind them are claimed; a cap of 0 takes none; the claim tells
 * which caps held ready jobs back, and none when nothing was. Registered from
 * `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runClaimCapConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job } from "../../src/job.ts";
import type { ClaimCaps, Store } from "../../src/store/store.ts";
import { createJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
/** `n` jobs enqueued a ms apart from `T0 + from`, so their claim order is theirs. */
const jobs = (n: number, task: string, queue = "default", from = 0): Job[] =>
  Array.from(
    { length: n },
    (_, i) => createJob({ id: newJobId(T0 + from + i), task, queue, input: {} }, T0 + from + i),
  );
const capped = (store: Store, caps: ClaimCaps, { limit = 10, queues = ["default"] } = {}) =>
  store.jobClaimCapped({ queues, workerId: "w", limit, leaseMs: 60_000, now: T0 + 1_000, caps });
const claim = async (store: Store, caps: ClaimCaps, options = {}) =>
  (await capped(store, caps, options)).jobs;
const tasks = (claimed: Job[]) => claimed.map((job) => job.task);

/** Registers the capped claim tests with a backend's `test`. */
export function runClaimCapConformance(test: Test): void {
  test("a capped claim takes at most the task's cap and claims other tasks past it", async (store) => {
    const capped = jobs(4, "send");
    await store.jobInsertMany({ jobs: [...capped, ...jobs(2, "other")] });
    const claimed = await claim(store, { tasks: { send: 2 } });
    assertEquals(tasks(claimed).sort(), ["other", "other", "send", "send"]);
    assertEquals(claimed.filter((j) => j.task === "send").map((j) => j.id), [
      capped[0].id,
      capped[1].id,
    ]);
    const left = await store.jobGetMany([capped[2].id, capped[3].id]);
    assertEquals(left.map((j) => [j?.state, j?.attempts, j?.version]), [
      ["queued", 0, capped[2].version],
      ["queued", 0, capped[3].version],
    ]);
    assertEquals(tasks(await claim(store, {})), ["send", "send"]);
  });

  test("a cap of 0 takes none of the task, and the claim tells it held jobs back", async (store) => {
    await store.jobInsertMany({ jobs: [...jobs(2, "send"), ...jobs(1, "other")] });
    const { jobs: claimed, heldBack } = await capped(store, { tasks: { send: 0, idle: 0 } });
    assertEquals(tasks(claimed), ["other"]);
    assertEquals(heldBack, { tasks: ["send"], queues: [] });
  });

  test("a capped claim that held nothing back says so", async (store) => {
    await store.jobInsertMany({ jobs: [...jobs(2, "send"), ...jobs(1, "other", "default", 10)] });
    const caps = { tasks: { send: 2, idle: 0 }, queues: { sms: 0 } };
    const { jobs: claimed, heldBack } = await capped(store, caps, { queues: ["default", "sms"] });
    assertEquals(tasks(claimed), ["send", "send", "other"]);
    assertEquals(heldBack, { tasks: [], queues: [] });
  });

  test("a queue's used-up cap holds back its next job, told with that job's used-up caps", async (store) => {
    await store.jobInsertMany({ jobs: [...jobs(2, "send", "mail"), ...jobs(1, "a", "sms")] });
    const queues = ["mail", "sms"];
    const none = await capped(store, { queues: { mail: 0 }, tasks: { send: 0 } }, { queues });
    assertEquals([tasks(none.jobs), none.heldBack], [["a"], { tasks: ["send"], queues: ["mail"] }]);
    const one = await capped(store, { queues: { mail: 1 } }, { queues });
    assertEquals([tasks(one.jobs), one.heldBack], [["send"], { tasks: [], queues: ["mail"] }]);
  });

  test("concurrent claims each tell the jobs their caps hold back", async (store) => {
    await store.jobInsertMany({ jobs: [...jobs(20, "send"), ...jobs(4, "other", "default", 30)] });
    const claims = await Promise.all(
      Array.from({ length: 4 }, () => capped(store, { tasks: { send: 0 } }, { limit: 1 })),
    );
    assertEquals(claims.map((c) => c.heldBack.tasks), [["send"], ["send"], ["send"], ["send"]]);
    assertEquals(claims.flatMap((c) => tasks(c.jobs)), ["other", "other", "other", "other"]);
  });

  test("jobs left out for the claim's limit are not held back by a cap", async (store) => {
    await store.jobInsertMany({ jobs: [...jobs(2, "other"), ...jobs(1, "send", "default", 10)] });
    const { jobs: claimed, heldBack } = await capped(store, { tasks: { send: 0 } }, { limit: 2 });
    assertEquals([tasks(claimed), heldBack], [["other", "other"], { tasks: [], queues: [] }]);
  });

  test("a queue's cap holds in its queue only, and a task's across the claim's queues", async (store) => {
    await store.jobInsertMany({
      jobs: [...jobs(3, "a", "mail"), ...jobs(3, "b", "mail", 10), ...jobs(3, "a", "sms")],
    });
    const queues = ["mail", "sms"];
    const { jobs: claimed, heldBack } = await capped(store, {
      queues: { mail: 3 },
      tasks: { a: 4 },
    }, { queues });
    assertEquals(claimed.map((j) => `${j.queue}:${j.task}`), [
      "mail:a",
      "mail:a",
      "mail:a",
      "sms:a",
    ]);
    assertEquals(heldBack, { tasks: ["a"], queues: ["mail"] });
  });

  test("a capped claim stops at its limit", async (store) => {
    await store.jobInsertMany({ jobs: jobs(5, "other") });
    assertEquals((await claim(store, { tasks: { send: 1 } }, { limit: 3 })).length, 3);
  });
}
