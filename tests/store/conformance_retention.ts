/**
 * Conformance of retention against delivery (issue #20): the pruner, run over the store,
 * keeps a job whose completion callback is still pending past its expiry, and deletes it
 * once the callback was delivered or given up. Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runRetentionConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job } from "../../src/job.ts";
import { silentLogger } from "../../src/log.ts";
import { Pruner } from "../../src/maintenance/pruner.ts";
import type { Store } from "../../src/store/store.ts";
import {
  callbackDelivered,
  callbackFailed,
  claimCallback,
  claimJob,
  createJob,
  finishJob,
} from "../../src/transitions/mod.ts";
import { callbackJson } from "../../src/job_json.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);

/** One pruner round at `now` (start runs a round at once; stop ends the loop after it). */
async function pruneAt(store: Store, now: number): Promise<void> {
  const pruner = new Pruner({ store, clock: new FakeClock(now), logger: silentLogger });
  pruner.start();
  await pruner.stop();
}

async function change(store: Store, id: string, fn: (job: Job) => Job): Promise<Job> {
  const before = (await store.jobGet(id))!;
  const after = fn(before);
  assertEquals((await store.jobUpdateMany({ updates: [{ before, after }] })).applied, [id]);
  return after;
}

/** A job with a callback, finished at T0 with a 1 s TTL: its callback due at once. */
async function finishedWithCallback(store: Store): Promise<Job> {
  const job = createJob(
    { id: newJobId(T0), task: "t", input: {}, callbackUrl: "http://127.0.0.1:9/cb" },
    T0,
  );
  await store.jobInsertMany({ jobs: [job] });
  await change(store, job.id, (j) => claimJob(j, { workerId: "w", now: T0, leaseMs: 1_000 }));
  return await change(store, job.id, (j) => finishJob(j, { now: T0, result: 1, ttlMs: 1_000 }));
}

/** Registers the retention tests with a backend's `test`. */
export function runRetentionConformance(test: Test): void {
  test("the pruner keeps a job whose callback is pending until it is delivered", async (store) => {
    const job = await finishedWithCallback(store);
    await change(store, job.id, (j) => claimCallback(j, { now: T0 + 10, leaseMs: 60_000 }));
    await pruneAt(store, T0 + 5_000);
    const kept = (await store.jobGet(job.id))!;
    assertEquals(callbackJson(kept)?.state, "pending");
    assertEquals(callbackJson(kept)?.attempts, 1);
    await change(store, job.id, callbackDelivered);
    await pruneAt(store, T0 + 6_000);
    assertEquals(await store.jobGet(job.id), null);
  });

  test("the pruner deletes a job whose callback was given up after its last try", async (store) => {
    const job = await finishedWithCallback(store);
    await change(store, job.id, (j) => claimCallback(j, { now: T0, leaseMs: 60_000 }));
    await pruneAt(store, T0 + 5_000);
    assertEquals((await store.jobGet(job.id))?.callbackTries, 1);
    const given = await change(
      store,
      job.id,
      (j) => callbackFailed(j, { now: T0 + 5_000, retryDelayMs: 1_000, maxTries: 1 }),
    );
    assertEquals(callbackJson(given)?.state, "gave_up");
    await pruneAt(store, T0 + 6_000);
    assertEquals(await store.jobGet(job.id), null);
  });
}
