/**
 * Conformance of queue pauses: a paused queue is not claimed from but still takes jobs,
 * and a resume lets claims through again. Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runQueuePauseConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const job = (queue: string) => createJob({ id: newJobId(T0), task: "t", queue, input: {} }, T0);
const claim = (store: Store, queues: string[]) =>
  store.jobClaim({ queues, workerId: "w", limit: 10, leaseMs: 1_000, now: T0 });

/** Registers the queue pause tests with a backend's `test`. */
export function runQueuePauseConformance(test: Test): void {
  test("a paused queue takes jobs but is not claimed from until resumed", async (store) => {
    await store.queuePause({ queue: "mail", paused: true });
    await store.jobInsertMany({ jobs: [job("mail"), job("mail"), job("other")] });
    assertEquals(await store.queuePausedList(), ["mail"]);
    assertEquals((await claim(store, ["mail", "other"])).map((j) => j.queue), ["other"]);
    await store.queuePause({ queue: "mail", paused: false });
    assertEquals(await store.queuePausedList(), []);
    assertEquals((await claim(store, ["mail", "other"])).length, 2);
  });
}
