/**
 * Conformance of deleting a job others wait for (issue #20): refused while dependants or
 * the rest of its group wait, or, with `cascade: "cancel"`, deleted in one commit with them
 * canceled (`parent <id> deleted`) and its group's next job released. Runs `deleteJob`
 * (`src/job_changes.ts`) over the store's `jobDelete`. Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runDeletionConformance(test);
 * ```
 * @module
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { DependantsWaitingError } from "../../src/errors.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job } from "../../src/job.ts";
import { deleteJob } from "../../src/job_changes.ts";
import type { Store } from "../../src/store/store.ts";
import { claimJob, createJob, finishJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const job = (spec: { dependsOn?: string[]; group?: string; queue?: string } = {}) =>
  createJob({ id: newJobId(T0), task: "t", input: {}, ...spec }, T0);
const states = async (store: Store, jobs: Job[]) =>
  (await store.jobGetMany(jobs.map((j) => j.id))).map((j) => j?.state ?? null);
const counts = async (store: Store, queue = "default") =>
  (await store.queueCounts()).find((q) => q.name === queue);

/** Registers the deletion tests with a backend's `test`. */
export function runDeletionConformance(test: Test): void {
  test("deleting a parent with waiting dependants is refused, naming them", async (store) => {
    const parent = job();
    await store.jobInsertMany({ jobs: [parent] });
    const children = [job({ dependsOn: [parent.id] }), job({ dependsOn: [parent.id] })];
    await store.jobInsertMany({ jobs: children });
    const error = await assertRejects(() => deleteJob(store, parent.id), DependantsWaitingError);
    assertEquals(error.details.dependants, children.map((c) => c.id));
    assertEquals(error.details.dependant_count, 2);
    assertEquals(await states(store, [parent, ...children]), ["queued", "deferred", "deferred"]);
  });

  test("cascade=cancel deletes the parent and cancels its dependants in one commit", async (store) => {
    const parent = job();
    await store.jobInsertMany({ jobs: [parent] });
    const child = job({ dependsOn: [parent.id], queue: "other" });
    await store.jobInsertMany({ jobs: [child] });
    const grandchild = job({ dependsOn: [child.id] });
    await store.jobInsertMany({ jobs: [grandchild] });
    const canceled = await deleteJob(store, parent.id, {
      cascade: "cancel",
      now: T0 + 5,
      ttlMs: 1_000,
    });
    assertEquals(canceled.sort(), [child.id, grandchild.id].sort());
    const [p, c, g] = await store.jobGetMany([parent.id, child.id, grandchild.id]);
    assertEquals(p, null);
    assertEquals([c?.state, c?.cancelReason], ["canceled", `parent ${parent.id} deleted`]);
    assertEquals([g?.state, g?.cancelReason], ["canceled", `parent ${child.id} canceled`]);
    assertEquals(c?.expiresAt, T0 + 5 + 1_000);
    const here = await counts(store);
    assertEquals([here?.queued, here?.deferred, here?.canceled], [0, 0, 1]);
    assertEquals((await counts(store, "other"))?.canceled, 1);
    assertEquals((await store.jobList({ state: "deferred", limit: 10 })).jobs, []);
  });

  test("deleting a group's head with cascade=cancel releases the next job", async (store) => {
    const [a, b, c] = [job({ group: "g" }), job({ group: "g" }), job({ group: "g" })];
    await store.jobInsertMany({ jobs: [a, b, c] });
    await assertRejects(() => deleteJob(store, a.id), DependantsWaitingError);
    assertEquals(await deleteJob(store, a.id, { cascade: "cancel", now: T0 + 1 }), []);
    assertEquals(await states(store, [a, b, c]), [null, "queued", "deferred"]);
    const claimed = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 5,
      leaseMs: 1_000,
      now: T0 + 2,
    });
    assertEquals(claimed.map((j) => j.id), [b.id]);
  });

  test("deleting a finished parent leaves dependants that already moved on alone", async (store) => {
    const parent = job();
    await store.jobInsertMany({ jobs: [parent] });
    const child = job({ dependsOn: [parent.id] });
    await store.jobInsertMany({ jobs: [child] });
    const running = claimJob((await store.jobGet(parent.id))!, {
      workerId: "w",
      now: T0 + 1,
      leaseMs: 1_000,
    });
    const before = (await store.jobGet(parent.id))!;
    await store.jobUpdateMany({ updates: [{ before, after: running }] });
    const done = finishJob(running, { now: T0 + 2, result: 1, ttlMs: 1_000 });
    await store.jobUpdateMany({ updates: [{ before: running, after: done }] });
    assertEquals(await deleteJob(store, parent.id), []);
    assertEquals(await states(store, [parent, child]), [null, "queued"]);
  });

  test("a delete whose dependant changed meanwhile writes nothing", async (store) => {
    const parent = job();
    await store.jobInsertMany({ jobs: [parent] });
    const child = job({ dependsOn: [parent.id] });
    await store.jobInsertMany({ jobs: [child] });
    const [p, c] = await store.jobGetMany([parent.id, child.id]);
    const stale = {
      before: { ...c!, version: c!.version - 1 },
      after: { ...c!, state: "canceled" as const },
    };
    assert(!await store.jobDelete({ job: p!, dependants: [stale] }));
    assertEquals(await states(store, [parent, child]), ["queued", "deferred"]);
  });
}
