/**
 * Conformance of what the operator's search and actions need from a store: `jobList` runs
 * newest first by id with cursors that continue it, so `searchJobs` (id prefix, input
 * fields, a scan cap with a cursor) answers the same on every backend; and a run-now
 * written with `jobUpdateMany` makes a scheduled job claimable at once. Registered from
 * `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runSearchConformance(test);
 * ```
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import { searchJobs } from "../../src/job_search.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob, runJobNow } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

/** Registers the search and run-now tests with a backend's `test`. */
export function runSearchConformance(test: Test): void {
  test("searchJobs() pages through input matches under a scan cap without gaps or repeats", async (store) => {
    // Two queues and a later time part: the listing merges them newest first.
    const jobs = Array.from({ length: 9 }, (_, i) =>
      createJob({
        id: newJobId(T0 + i * 1_000),
        task: "t",
        queue: i % 2 ? "a" : "b",
        input: { user_id: i % 3 === 0 ? 42 : "x" },
      }, T0));
    await store.jobInsertMany({ jobs });
    const wanted = jobs.filter((j) => (j.input as { user_id: unknown }).user_id === 42)
      .map((j) => j.id).reverse();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await searchJobs(store, {
        input: { user_id: "42" },
        limit: 2,
        scanLimit: 4,
        cursor,
      });
      assert(page.scanned <= 4);
      seen.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    assertEquals(seen, wanted);
    const inQueue = await searchJobs(store, { queue: "a", input: { user_id: "42" }, limit: 10 });
    assertEquals(
      inQueue.jobs.map((j) => j.id),
      jobs.filter((_job, i) => i % 2 && i % 3 === 0).map((j) => j.id).reverse(),
    );
  });

  test("searchJobs() by id prefix stops once the listing passes below the prefix", async (store) => {
    const old = createJob({ id: newJobId(T0), task: "t", input: {} }, T0);
    const recent = [1, 2].map((i) =>
      createJob({ id: newJobId(T0 + 400 * DAY + i), task: "t", input: {} }, T0)
    );
    await store.jobInsertMany({ jobs: [old, ...recent] });
    const prefix = recent[0].id.slice(0, 5);
    const page = await searchJobs(store, { idPrefix: prefix, limit: 10 });
    assertEquals(page.jobs.map((j) => j.id), [recent[1].id, recent[0].id]);
    assertEquals([page.nextCursor, page.capped], [undefined, false]);
  });

  test("a run-now written with jobUpdateMany makes a scheduled job claimable at once", async (store) => {
    const later = createJob({ id: newJobId(T0), task: "t", input: {}, runAt: T0 + DAY }, T0);
    await store.jobInsertMany({ jobs: [later] });
    const now = runJobNow(later, { now: T0 + 5 });
    assertEquals(
      (await store.jobUpdateMany({ updates: [{ before: later, after: now }] })).applied,
      [
        later.id,
      ],
    );
    const claim = { queues: ["default"], workerId: "w", limit: 1, leaseMs: 1_000, now: T0 + 5 };
    assertEquals((await store.jobClaim(claim)).map((j) => j.id), [later.id]);
    assertEquals(await store.jobListDue({ now: T0 + 2 * DAY, limit: 10 }), []);
  });
}
