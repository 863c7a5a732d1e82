/**
 * Conformance of rate-limited claims (`src/guards/rate_limit_tokens.ts` over each store's
 * records and capped claims): a window admits `max` starts per `per` ms, jobs over it stay
 * queued (no attempt used) while other tasks are claimed past them, and concurrent
 * claimants never exceed it. Time is the claims' `now`, as a fake clock gives it.
 * Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runRateLimitConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import type { FakeClock } from "../../src/clock.ts";
import { claimWithinRateLimits } from "../../src/guards/rate_limit_tokens.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job } from "../../src/job.ts";
import type { RateLimits } from "../../src/guards/rate_limit.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store, clock: FakeClock) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const jobs = (n: number, task: string, queue = "default"): Job[] =>
  Array.from({ length: n }, () => createJob({ id: newJobId(T0), task, queue, input: {} }, T0));
const claim = (
  store: Store,
  rateLimits: RateLimits,
  now: number,
  { limit = 10, queues = ["default"] } = {},
) =>
  claimWithinRateLimits(store, { queues, workerId: "w", limit, leaseMs: 60_000, now, rateLimits })
    .then(({ jobs }) => jobs);
const tasks = (claimed: Job[]) => claimed.map((job) => job.task).sort();

/** Registers the rate limit tests with a backend's `test`. */
export function runRateLimitConformance(test: Test): void {
  const send = { tasks: { send: { max: 2, per: 1_000 } }, queues: {} };

  test("a task over its rate limit stays queued while other tasks are claimed past it", async (store) => {
    const limited = jobs(5, "send");
    await store.jobInsertMany({ jobs: [...limited, ...jobs(2, "other")] });
    assertEquals(tasks(await claim(store, send, T0)), ["other", "other", "send", "send"]);
    assertEquals(await claim(store, send, T0 + 999), []);
    const waiting = (await store.jobGetMany(limited.map((j) => j.id))).filter((j) =>
      j?.state === "queued"
    );
    assertEquals(waiting.map((j) => j!.attempts), [0, 0, 0]);
    assertEquals(tasks(await claim(store, send, T0 + 1_000)), ["send", "send"]);
    assertEquals(tasks(await claim(store, send, T0 + 1_500)), []);
    assertEquals(tasks(await claim(store, send, T0 + 2_000)), ["send"]);
  });

  test("a queue's rate limit holds across claims and leaves other queues alone", async (store) => {
    const limits = { tasks: {}, queues: { mail: { max: 3, per: 1_000 } } };
    await store.jobInsertMany({ jobs: [...jobs(5, "a", "mail"), ...jobs(2, "b")] });
    const queues = ["mail", "default"];
    // The claim that finds the limited queue's jobs held back fills up from the next queue.
    const first = await claim(store, limits, T0, { limit: 2, queues });
    assertEquals(first.map((j) => j.queue), ["default", "default"]);
    const second = await claim(store, limits, T0 + 10, { queues });
    assertEquals(second.map((j) => j.queue), ["mail", "mail", "mail"]);
    assertEquals(await claim(store, limits, T0 + 1_009, { queues }), []);
    assertEquals((await claim(store, limits, T0 + 1_010, { queues })).length, 2);
  });

  test("concurrent claimants never start more than the limit in one window", async (store) => {
    await store.jobInsertMany({ jobs: jobs(20, "send") });
    const limits = { tasks: { send: { max: 5, per: 1_000 } }, queues: {} };
    const rounds = await Promise.all(
      Array.from({ length: 4 }, (_, i) => claim(store, limits, T0 + i, { limit: 3 })),
    );
    assertEquals(rounds.flat().length, 5);
    assertEquals(new Set(rounds.flat().map((j) => j.id)).size, 5);
  });

  test("a claim held back by a full window tells when it frees a start", async (store, clock) => {
    await store.jobInsertMany({ jobs: jobs(3, "send") });
    const rateLimits = { tasks: { send: { max: 1, per: 300 } }, queues: {} };
    const params = { queues: ["default"], workerId: "w", limit: 10, leaseMs: 60_000, rateLimits };
    const first = await claimWithinRateLimits(store, { ...params, now: clock.now() });
    assertEquals([first.jobs.length, first.wakeAt], [1, clock.now() + 300]);
    clock.advance(260);
    const held = await claimWithinRateLimits(store, { ...params, now: clock.now() });
    assertEquals([held.jobs.length, held.wakeAt], [0, clock.now() + 40]);
    clock.advance(40);
    assertEquals(
      (await claimWithinRateLimits(store, { ...params, now: clock.now() })).jobs.length,
      1,
    );
  });

  test("starts reserved but not used are given back to the window", async (store) => {
    await store.jobInsertMany({ jobs: jobs(1, "send") });
    const limits = { tasks: { send: { max: 3, per: 1_000 } }, queues: {} };
    assertEquals((await claim(store, limits, T0)).length, 1, "reserves 3, uses 1");
    await store.jobInsertMany({ jobs: jobs(5, "send") });
    assertEquals((await claim(store, limits, T0 + 1)).length, 2, "the 2 given back");
  });
}
