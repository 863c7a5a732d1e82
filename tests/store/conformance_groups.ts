/**
 * Conformance of ordered groups: only a group's oldest unfinished job is ever queued, the
 * next one is released by the commit that ends it (however it ended, but not by a retry),
 * and concurrent enqueues into one group form one chain. Registered from
 * `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runGroupConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job } from "../../src/job.ts";
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
const job = (group?: string) =>
  createJob({ id: newJobId(T0), task: "t", input: {}, group, maxAttempts: 2 }, T0);
const claimIds = async (store: Store) =>
  (await store.jobClaim({ queues: ["default"], workerId: "w", limit: 10, leaseMs: 1_000, now: T0 }))
    .map((j) => j.id);
const states = async (store: Store, jobs: Job[]) =>
  (await store.jobGetMany(jobs.map((j) => j.id))).map((j) => j?.state);

/** Writes `change` of the stored record of `job` and returns the new record. */
async function update(store: Store, job: Job, change: (current: Job) => Job): Promise<Job> {
  const before = (await store.jobGet(job.id))!;
  const after = change(before);
  assertEquals((await store.jobUpdateMany({ updates: [{ before, after }] })).applied, [job.id]);
  return after;
}
const finish = (now: number) => (j: Job) => finishJob(j, { now, result: null, ttlMs: 9_000 });

/** Registers the ordered group tests with a backend's `test`. */
export function runGroupConformance(test: Test): void {
  test("a group's jobs wait deferred and are released one at a time in order", async (store) => {
    const [a, b, c] = [job("g"), job("g"), job("g")];
    const free = job();
    await store.jobInsertMany({ jobs: [a, b, free] });
    await store.jobInsertMany({ jobs: [c] });
    assertEquals(await states(store, [a, b, c]), ["queued", "deferred", "deferred"]);
    assertEquals((await store.jobGet(c.id))?.groupAfter, b.id);
    assertEquals((await claimIds(store)).sort(), [a.id, free.id].sort());
    await update(store, a, finish(T0 + 1));
    assertEquals(await states(store, [b, c]), ["queued", "deferred"]);
    assertEquals(await claimIds(store), [b.id]);
    // A retry waiting for its backoff keeps the group blocked.
    const failure = { name: "Error", message: "boom" };
    await update(
      store,
      b,
      (j) => failAttempt(j, { now: T0 + 2, error: failure, retryDelayMs: 10, ttlMs: 9_000 }),
    );
    assertEquals(await states(store, [b, c]), ["scheduled", "deferred"]);
    await update(store, b, promoteJob);
    assertEquals(await claimIds(store), [b.id]);
    await update(
      store,
      b,
      (j) => failAttempt(j, { now: T0 + 3, error: failure, retryDelayMs: 10, ttlMs: 9_000 }),
    );
    // Failed for good: the group goes on.
    assertEquals(await states(store, [b, c]), ["failed", "queued"]);
  });

  test("canceling a waiting group job hands its place to the one after it", async (store) => {
    const [a, b, c] = [job("g"), job("g"), job("g")];
    await store.jobInsertMany({ jobs: [a, b, c] });
    await update(store, b, (j) => cancelJob(j, { now: T0 + 1, reason: "no", ttlMs: 9_000 }));
    assertEquals(await states(store, [a, b, c]), ["queued", "canceled", "deferred"]);
    assertEquals((await store.jobGet(c.id))?.groupAfter, a.id);
    // Still one at a time: c runs once a has ended.
    assertEquals(await claimIds(store), [a.id]);
    await update(store, a, finish(T0 + 2));
    assertEquals(await claimIds(store), [c.id]);
  });

  test("a group whose newest waiting job was canceled stays taken", async (store) => {
    const [a, b] = [job("g"), job("g")];
    await store.jobInsertMany({ jobs: [a, b] });
    await update(store, b, (j) => cancelJob(j, { now: T0 + 1, reason: "no", ttlMs: 9_000 }));
    const c = job("g");
    await store.jobInsertMany({ jobs: [c] });
    assertEquals(await states(store, [a, c]), ["queued", "deferred"]);
    assertEquals((await store.jobGet(c.id))?.groupAfter, a.id);
  });

  test("a group whose jobs all ended runs the next job at once", async (store) => {
    const a = job("g");
    await store.jobInsertMany({ jobs: [a] });
    await update(store, a, (j) => claimJob(j, { workerId: "w", now: T0, leaseMs: 1_000 }));
    await update(store, a, finish(T0 + 1));
    const b = job("g");
    await store.jobInsertMany({ jobs: [b] });
    assertEquals(await states(store, [b]), ["queued"]);
  });

  test("concurrent enqueues into one group form a single chain", async (store) => {
    const members = Array.from({ length: 8 }, () => job("g"));
    await Promise.all(members.map((member) => store.jobInsertMany({ jobs: [member] })));
    const stored = (await store.jobGetMany(members.map((j) => j.id))).map((j) => j!);
    assertEquals(stored.filter((j) => j.state === "queued").length, 1);
    const after = new Set(stored.flatMap((j) => j.groupAfter ? [j.groupAfter] : []));
    assertEquals(after.size, 7);
    // Each job but the newest is followed by exactly one job.
    assertEquals(stored.filter((j) => !after.has(j.id)).length, 1);
  });
}

/**
 * What an older layout kept of two keys, for the migration tests: a group `g` whose lane
 * ends at a queued job, and a concurrency key `k` (limit 2) with both lanes taken. `lanes`
 * are the old records' values by `chainId`, as the stores wrote them outside keyed records.
 */
export function oldLanes(now: number): { tails: Job[]; lanes: Record<string, string> } {
  const [g, k1, k2] = [{ group: "g" }, { concurrency: { key: "k", limit: 2 } }, {
    concurrency: { key: "k", limit: 2 },
  }].map((spec) => createJob({ id: newJobId(now), task: "t", input: {}, ...spec }, now));
  return {
    tails: [g, k1, k2],
    lanes: { "group:g": g.id, "concurrency:k": JSON.stringify([k1.id, k2.id]) },
  };
}

/**
 * Asserts that a migrated store (opened with `withLinks`, its old tails written) still
 * chains new jobs behind those tails: the lanes were kept, not forgotten.
 */
export async function assertLanesKept(store: Store, tails: Job[], now: number): Promise<void> {
  const grouped = createJob({ id: newJobId(now), task: "t", input: {}, group: "g" }, now);
  const keyed = createJob({
    id: newJobId(now),
    task: "t",
    input: {},
    concurrency: { key: "k", limit: 2 },
  }, now);
  await store.jobInsertMany({ jobs: [grouped, keyed] });
  assertEquals(await states(store, [grouped, keyed]), ["deferred", "deferred"]);
  const [g, k1] = await store.jobGetMany([tails[0].id, tails[1].id]);
  assertEquals([g?.dependants, k1?.dependants], [[grouped.id], [keyed.id]]);
}
