/**
 * Debounced enqueues (`insertDebounced` of `src/guards/debounce.ts`, over `recordCommit`):
 * a request while the key's job waits joins it (its input, a later start, the same id),
 * bounded by `maxWaitMs`; a started or deleted job is not joined; keys count per task; and
 * concurrent requests of one key make one job. Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runDebounceConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Store } from "../../src/store/store.ts";
import type { Job } from "../../src/job.ts";
import { insertDebounced } from "../../src/guards/debounce.ts";
import { claimJob, createJob, promoteJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const request = (input: number, at: number, task = "t") =>
  createJob({ id: newJobId(at), task, input }, at);
const scheduled = async (store: Store) =>
  (await store.queueCounts()).reduce((sum, queue) => sum + queue.scheduled, 0);

/** Registers the debounce tests with a backend's `test`. */
export function runDebounceConformance(test: Test): void {
  const debounce = { key: "user:1", waitMs: 1_000 };

  test("a debounced request while the job waits joins it: last input, later start", async (store) => {
    const first = await insertDebounced(store, { job: request(1, T0), debounce });
    assertEquals([first.created, first.job.state, first.job.runAt], [
      true,
      "scheduled",
      T0 + 1_000,
    ]);
    const second = await insertDebounced(store, { job: request(2, T0 + 500), debounce });
    assertEquals(second.created, false);
    assertEquals(second.job.id, first.job.id);
    const stored = await store.jobGet(first.job.id);
    assertEquals([stored?.input, stored?.runAt, stored?.version], [2, T0 + 1_500, 2]);
    assertEquals(await scheduled(store), 1);
    // Due, promoted but not claimed yet: still joined, and put back to wait.
    await store.jobUpdateMany({ updates: [{ before: stored!, after: promoteJob(stored!) }] });
    const third = await insertDebounced(store, { job: request(3, T0 + 1_600), debounce });
    assertEquals([third.created, third.job.id, third.job.state], [
      false,
      first.job.id,
      "scheduled",
    ]);
    assertEquals((await store.jobGet(first.job.id))?.input, 3);
  });

  test("max_wait_ms bounds how far a burst pushes the start back", async (store) => {
    const bounded = { ...debounce, maxWaitMs: 1_500 };
    const first = await insertDebounced(store, { job: request(1, T0), debounce: bounded });
    await insertDebounced(store, { job: request(2, T0 + 800), debounce: bounded });
    assertEquals((await store.jobGet(first.job.id))?.runAt, T0 + 1_500);
  });

  test("a started or deleted job is not joined: the request makes a new one", async (store) => {
    const first = await insertDebounced(store, { job: request(1, T0), debounce });
    const due = promoteJob(first.job);
    const running = claimJob(due, { workerId: "w", now: T0 + 1_000, leaseMs: 1_000 });
    await store.jobUpdateMany({ updates: [{ before: first.job, after: due }] });
    await store.jobUpdateMany({ updates: [{ before: due, after: running }] });
    const second = await insertDebounced(store, { job: request(2, T0 + 1_100), debounce });
    assertEquals(second.created, true);
    assertEquals((await store.jobGet(first.job.id))?.input, 1);
    assertEquals(await store.jobDelete({ job: second.job }), true);
    const third = await insertDebounced(store, { job: request(3, T0 + 1_200), debounce });
    assertEquals([third.created, third.job.input], [true, 3]);
  });

  test("debounce keys count per task", async (store) => {
    const a = await insertDebounced(store, { job: request(1, T0, "a"), debounce });
    const b = await insertDebounced(store, { job: request(1, T0, "b"), debounce });
    assertEquals([a.created, b.created], [true, true]);
  });

  test("concurrent debounced requests of one key make exactly one job", async (store) => {
    const results = await Promise.all(
      Array.from(
        { length: 10 },
        (_, i) => insertDebounced(store, { job: request(i, T0 + i), debounce }),
      ),
    );
    assertEquals(new Set(results.map((r) => r.job.id)).size, 1);
    assertEquals(results.filter((r) => r.created).length, 1);
    assertEquals(await scheduled(store), 1);
  });
}

/**
 * A job waiting for the debounce key `user:1` of task `t`, as an older layout left it: the
 * job, and the key's record `{ jobId, firstAt }` for the caller to write its own way.
 */
export function oldDebounced(
  now: number,
): { job: Job; record: { jobId: string; firstAt: number } } {
  const job = createJob({ id: newJobId(now), task: "t", input: 1, runAt: now + 60_000 }, now);
  return { job, record: { jobId: job.id, firstAt: now } };
}

/** Asserts that a migrated store's request under that key joins that job. */
export async function assertDebounceJoins(store: Store, job: Job): Promise<void> {
  await store.jobInsertMany({ jobs: [job] });
  const debounce = { key: "user:1", waitMs: 60_000 };
  const next = await insertDebounced(store, { job: request(2, job.createdAt + 1), debounce });
  assertEquals([next.created, next.job.id, next.job.input], [false, job.id, 2]);
}
