/**
 * Conformance of per-key concurrency (`src/guards/concurrency.ts`, the lanes of
 * `src/guards/group.ts`): at most `limit` jobs of a key are ever queued, scheduled or
 * running; the rest wait deferred and are released one per ending job, however it ended
 * (and not by a retry or a lapsed lease); other keys' jobs are claimed past a key at its
 * limit; concurrent enqueues never start more lanes than the limit. Registered from
 * `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runConcurrencyConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job } from "../../src/job.ts";
import { deleteJob } from "../../src/job_changes.ts";
import type { Store } from "../../src/store/store.ts";
import {
  cancelJob,
  claimJob,
  createJob,
  failAttempt,
  finishJob,
  promoteJob,
} from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const job = (key?: string, limit = 2, maxAttempts = 1) =>
  createJob({
    id: newJobId(T0),
    task: "t",
    input: {},
    maxAttempts,
    concurrency: key === undefined ? undefined : { key, limit },
  }, T0);
const claim = async (store: Store, limit = 50, now = T0) =>
  await store.jobClaim({ queues: ["default"], workerId: "w", limit, leaseMs: 1_000, now });
const active = async (store: Store, jobs: Job[]) =>
  (await store.jobGetMany(jobs.map((j) => j.id))).filter((j) =>
    j && ["queued", "scheduled", "started"].includes(j.state)
  ).length;

/** Writes `change` of the stored record of `job`. */
async function update(store: Store, job: Job, change: (current: Job) => Job): Promise<void> {
  const before = (await store.jobGet(job.id))!;
  assertEquals(
    (await store.jobUpdateMany({ updates: [{ before, after: change(before) }] })).applied,
    [job.id],
  );
}
const finish = (j: Job) => finishJob(j, { now: T0 + 1, result: null, ttlMs: 9_000 });
const fail = (j: Job) =>
  failAttempt(j, {
    now: T0 + 1,
    error: { name: "Error", message: "boom" },
    retryDelayMs: 10,
    ttlMs: 9_000,
  });

/** Registers the per-key concurrency tests with a backend's `test`. */
export function runConcurrencyConformance(test: Test): void {
  test("at most `limit` jobs of a key run; each ending job releases the next", async (store) => {
    const keyed = Array.from({ length: 5 }, () => job("tenant:1"));
    const free = job();
    await store.jobInsertMany({ jobs: [...keyed, free] });
    const first = await claim(store);
    assertEquals(first.map((j) => j.id).sort(), [keyed[0].id, keyed[1].id, free.id].sort());
    assertEquals(await active(store, keyed), 2);
    await update(store, keyed[0], finish);
    // Failed for good, a job also makes room.
    await update(store, keyed[1], fail);
    assertEquals(await active(store, keyed), 2);
    assertEquals((await claim(store)).map((j) => j.id).sort(), [keyed[2].id, keyed[3].id].sort());
    assertEquals(await claim(store), []);
  });

  test("other keys' jobs are claimed past a key at its limit", async (store) => {
    const busy = Array.from({ length: 20 }, () => job("a"));
    await store.jobInsertMany({ jobs: busy });
    const other = Array.from({ length: 3 }, () => job("b", 5));
    await store.jobInsertMany({ jobs: other });
    const claimed = await claim(store, 10);
    assertEquals(claimed.filter((j) => j.concurrencyKey === "a").length, 2);
    assertEquals(claimed.filter((j) => j.concurrencyKey === "b").length, 3);
  });

  test("a running job keeps its key's slot through a lapsed lease and a retry", async (store) => {
    const [a, b] = [job("k", 1, 2), job("k", 1, 2)];
    await store.jobInsertMany({ jobs: [a, b] });
    assertEquals((await claim(store)).map((j) => j.id), [a.id]);
    // Its worker died: the lease lapsed, and nothing else of the key may start meanwhile.
    assertEquals(await claim(store, 50, T0 + 5_000), []);
    const [lapsed] = await store.jobListLeaseExpired({ now: T0 + 5_000, limit: 10 });
    assertEquals(lapsed.id, a.id);
    // The rescuer fails the attempt: it waits for its retry, still holding the slot.
    await update(store, a, fail);
    assertEquals(
      (await store.jobGetMany([a.id, b.id])).map((j) => j?.state),
      ["scheduled", "deferred"],
    );
    await update(store, a, (j) => claimJob(promoteJob(j), { workerId: "w", now: T0, leaseMs: 1 }));
    await update(store, a, fail);
    assertEquals((await store.jobGet(b.id))?.state, "queued");
  });

  test("canceling or deleting a queued job releases the next of its key", async (store) => {
    const [a, b, c] = [job("k", 1), job("k", 1), job("k", 1)];
    await store.jobInsertMany({ jobs: [a, b, c] });
    await update(store, a, (j) => cancelJob(j, { now: T0 + 1, reason: "no", ttlMs: 9_000 }));
    const after = await store.jobGetMany([a.id, b.id, c.id]);
    assertEquals(after.map((j) => j?.state), ["canceled", "queued", "deferred"]);
    await deleteJob(store, b.id, { cascade: "cancel", now: T0 + 2, ttlMs: 9_000 });
    assertEquals((await store.jobGet(c.id))?.state, "queued");
  });

  test("canceling or deleting a waiting job never lets its key run over its limit", async (store) => {
    const [a, b, c, d] = [job("k", 1), job("k", 1), job("k", 1), job("k", 1)];
    await store.jobInsertMany({ jobs: [a, b, c, d] });
    await update(store, b, (j) => cancelJob(j, { now: T0 + 1, reason: "no", ttlMs: 9_000 }));
    await deleteJob(store, c.id, { cascade: "cancel", now: T0 + 2, ttlMs: 9_000 });
    assertEquals((await claim(store)).map((j) => j.id), [a.id]);
    assertEquals((await store.jobGet(d.id))?.groupAfter, a.id);
    await update(store, a, finish);
    assertEquals((await claim(store)).map((j) => j.id), [d.id]);
  });

  test("concurrent enqueues into one key start no more lanes than its limit", async (store) => {
    const members = Array.from({ length: 9 }, () => job("k", 3));
    await Promise.all(members.map((member) => store.jobInsertMany({ jobs: [member] })));
    const stored = (await store.jobGetMany(members.map((j) => j.id))).map((j) => j!);
    assertEquals(stored.filter((j) => j.state === "queued").length, 3);
    const after = stored.flatMap((j) => j.groupAfter ? [j.groupAfter] : []);
    // Every waiting job is behind a different one: lanes, not a tree.
    assertEquals(new Set(after).size, 6);
  });

  test("a key whose jobs all ended takes new jobs at once", async (store) => {
    const [a, b] = [job("k", 2), job("k", 2)];
    await store.jobInsertMany({ jobs: [a, b] });
    await claim(store);
    for (const j of [a, b]) await update(store, j, finish);
    const next = [job("k", 2), job("k", 2), job("k", 2)];
    await store.jobInsertMany({ jobs: next });
    assertEquals(
      (await store.jobGetMany(next.map((j) => j.id))).map((j) => j?.state),
      ["queued", "queued", "deferred"],
    );
  });
}
