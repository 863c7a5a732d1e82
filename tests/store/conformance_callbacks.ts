/**
 * Conformance of completion callbacks (`src/callbacks/`): the pending callback is written
 * with the job's terminal state, listed once due, claimed by one of two racing senders,
 * and gone once settled or with its job. Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runCallbackConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job } from "../../src/job.ts";
import type { Store } from "../../src/store/store.ts";
import {
  callbackDelivered,
  claimCallback,
  createJob,
  failAttempt,
  finishJob,
  type JobSpec,
} from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const URL = "http://127.0.0.1:9/hook";

function job(spec: Partial<JobSpec> = {}): Job {
  return createJob({ id: newJobId(T0), task: "t", input: {}, ...spec }, T0);
}

/** Claims every ready job of `default` and finishes them at `now`. */
async function finishAll(store: Store, now: number): Promise<Job[]> {
  const claimed = await store.jobClaim({
    queues: ["default"],
    workerId: "w",
    limit: 10,
    leaseMs: 1_000,
    now,
  });
  const updates = claimed.map((before) => ({
    before,
    after: finishJob(before, { now, result: 1, ttlMs: 86_400_000 }),
  }));
  await store.jobUpdateMany({ updates });
  return updates.map((u) => u.after);
}

const ids = (jobs: Job[]) => jobs.map((j) => j.id);

/** Registers the callback tests with a backend's `test`. */
export function runCallbackConformance(test: Test): void {
  test("a job's callback is due from the commit that ends it, not before", async (store) => {
    const withUrl = job({ callbackUrl: URL });
    const without = job();
    await store.jobInsertMany({ jobs: [withUrl, without] });
    assertEquals(await store.jobListCallbackDue({ now: T0 + 10, limit: 10 }), []);
    const [done] = (await finishAll(store, T0 + 5)).filter((j) => j.id === withUrl.id);
    assertEquals(await store.jobListCallbackDue({ now: T0 + 4, limit: 10 }), []);
    assertEquals(await store.jobListCallbackDue({ now: T0 + 5, limit: 10 }), [done]);
    const plain = await store.jobGet(without.id);
    assertEquals(plain?.callbackDueAt, undefined);
  });

  test("of two senders claiming one callback, one wins; it is due again after the lease", async (store) => {
    await store.jobInsertMany({ jobs: [job({ callbackUrl: URL })] });
    const [done] = await finishAll(store, T0);
    const claim = () =>
      store.jobUpdateMany({
        updates: [{ before: done, after: claimCallback(done, { now: T0, leaseMs: 500 }) }],
      });
    const results = await Promise.all([claim(), claim()]);
    assertEquals(results.map((r) => r.applied.length).sort(), [0, 1]);
    assertEquals(await store.jobListCallbackDue({ now: T0 + 499, limit: 10 }), []);
    const [again] = await store.jobListCallbackDue({ now: T0 + 500, limit: 10 });
    assertEquals([again.id, again.callbackTries], [done.id, 1]);
  });

  test("a delivered callback is no longer due", async (store) => {
    await store.jobInsertMany({ jobs: [job({ callbackUrl: URL })] });
    const [done] = await finishAll(store, T0);
    const claimed = claimCallback(done, { now: T0, leaseMs: 500 });
    const delivered = callbackDelivered(claimed);
    await store.jobUpdateMany({ updates: [{ before: done, after: claimed }] });
    await store.jobUpdateMany({ updates: [{ before: claimed, after: delivered }] });
    assertEquals(await store.jobListCallbackDue({ now: T0 + 10_000, limit: 10 }), []);
    assertEquals((await store.jobGet(done.id))?.callbackOutcome, "delivered");
  });

  test("deleting a job drops its pending callback", async (store) => {
    await store.jobInsertMany({ jobs: [job({ callbackUrl: URL })] });
    const [done] = await finishAll(store, T0);
    assertEquals(await store.jobDelete({ job: done }), true);
    assertEquals(await store.jobListCallbackDue({ now: T0 + 10_000, limit: 10 }), []);
  });

  test("a dependant canceled by its failed parent is due for its callback", async (store) => {
    const parent = job({ maxAttempts: 1 });
    const child = job({ dependsOn: [parent.id], callbackUrl: URL });
    await store.jobInsertMany({ jobs: [parent, child] });
    const [running] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 1,
      leaseMs: 1_000,
      now: T0,
    });
    const failed = failAttempt(running, {
      now: T0 + 3,
      error: { name: "Error", message: "boom" },
      retryDelayMs: 0,
      ttlMs: 86_400_000,
    });
    await store.jobUpdateMany({ updates: [{ before: running, after: failed }] });
    const due = await store.jobListCallbackDue({ now: T0 + 3, limit: 10 });
    assertEquals(ids(due), [child.id]);
    assertEquals(due[0].state, "canceled");
  });
}
