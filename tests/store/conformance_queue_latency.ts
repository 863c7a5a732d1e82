/**
 * Conformance of `queueOldestReady`: the earliest `runAt` of each queue's ready jobs,
 * whatever their priorities, ignoring jobs not ready. Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runQueueLatencyConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const job = (queue: string, readyAt: number, spec: { priority?: number; runAt?: number } = {}) =>
  createJob({ id: newJobId(readyAt), task: "t", queue, input: {}, ...spec }, readyAt);

/** Registers the queue latency tests with a backend's `test`. */
export function runQueueLatencyConformance(test: Test): void {
  test("queueOldestReady() finds the longest-waiting job behind better priorities", async (store) => {
    await store.jobInsertMany({
      jobs: [
        job("mail", T0 + 3_000, { priority: -3 }),
        job("mail", T0 + 2_000),
        job("mail", T0 + 4_000),
        job("mail", T0 + 1_000, { priority: 5 }), // the oldest, claimed last
        job("mail", T0 + 1_500, { priority: 5 }),
        job("sms", T0 + 7_000, { priority: 1 }),
      ],
    });
    assertEquals(await store.queueOldestReady({ queues: ["mail", "sms", "nothing"] }), [
      T0 + 1_000,
      T0 + 7_000,
      null,
    ]);
    assertEquals(await store.queueOldestReady({ queues: [] }), []);
  });

  test("queueOldestReady() counts only ready jobs", async (store) => {
    const now = T0 + 10_000;
    await store.jobInsertMany({
      jobs: [job("mail", T0 + 5_000), job("mail", T0, { runAt: now + 60_000 })], // one scheduled
    });
    assertEquals(await store.queueOldestReady({ queues: ["mail"] }), [T0 + 5_000]);
    const [claimed] = await store.jobClaim({
      queues: ["mail"],
      workerId: "w",
      limit: 1,
      leaseMs: 30_000,
      now,
    });
    assertEquals(claimed.runAt, T0 + 5_000);
    assertEquals(await store.queueOldestReady({ queues: ["mail"] }), [null]);
  });
}
