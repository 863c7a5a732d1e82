/**
 * Conformance of task holds (`pauseTask` of `RateLimitedError`): a hold is listed until
 * its end, only ever extends, and is seen by every client of the store. Registered from
 * `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runTaskHoldConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import type { Store } from "../../src/store/store.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);

/** Registers the task hold tests with a backend's `test`. */
export function runTaskHoldConformance(test: Test): void {
  test("a task hold is listed until it ends, and a shorter one does not shorten it", async (store) => {
    assertEquals(await store.taskHoldList({ now: T0 }), []);
    await store.taskHold({ task: "send", until: T0 + 5_000 });
    await store.taskHold({ task: "send", until: T0 + 1_000 });
    await store.taskHold({ task: "mail", until: T0 + 2_000 });
    const sorted = async (now: number) =>
      (await store.taskHoldList({ now })).sort((a, b) => a.task.localeCompare(b.task));
    assertEquals(await sorted(T0), [
      { task: "mail", until: T0 + 2_000 },
      { task: "send", until: T0 + 5_000 },
    ]);
    assertEquals(await sorted(T0 + 2_000), [{ task: "send", until: T0 + 5_000 }]);
    await store.taskHold({ task: "send", until: T0 + 9_000 });
    assertEquals(await sorted(T0 + 5_000), [{ task: "send", until: T0 + 9_000 }]);
    assertEquals(await sorted(T0 + 9_000), []);
  });
}
