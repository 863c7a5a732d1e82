/**
 * Conformance of job dependencies: deferred children, promotion in the commit that
 * finishes the last parent, transitive cancels, and the checks of a linked insert.
 * Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runDependencyConformance(test);
 * ```
 * @module
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { InvalidInputError } from "../../src/errors.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job } from "../../src/job.ts";
import type { Store } from "../../src/store/store.ts";
import { claimJob, createJob, failAttempt, finishJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const job = (dependsOn?: string[], queue = "default") =>
  createJob({ id: newJobId(T0), task: "t", queue, input: {}, dependsOn }, T0);

/** Claims `parent` by id and finishes (or fails for good) it through `jobUpdateMany`. */
async function settle(store: Store, parent: Job, outcome: "finished" | "failed"): Promise<Job> {
  const current = (await store.jobGet(parent.id))!;
  const running = claimJob(current, { workerId: "w", now: T0 + 1, leaseMs: 1_000 });
  await store.jobUpdateMany({ updates: [{ before: current, after: running }] });
  const after = outcome === "finished"
    ? finishJob(running, { now: T0 + 2, result: { from: parent.id }, ttlMs: 5_000 })
    : failAttempt(running, {
      now: T0 + 2,
      error: { name: "Error", message: "boom" },
      retryDelayMs: 0,
      ttlMs: 5_000,
      final: true,
    });
  const { applied } = await store.jobUpdateMany({ updates: [{ before: running, after }] });
  assertEquals(applied, [parent.id]);
  return after;
}

const states = async (store: Store, jobs: Job[]) =>
  (await store.jobGetMany(jobs.map((j) => j.id))).map((j) => j?.state);

/** Registers the dependency tests with a backend's `test`. */
export function runDependencyConformance(test: Test): void {
  test("a child waits deferred, counted, until its last parent finishes", async (store) => {
    const [a, b] = [job(), job(undefined, "other")];
    await store.jobInsertMany({ jobs: [a, b] });
    const child = job([a.id, b.id]);
    await store.jobInsertMany({ jobs: [child] });
    assertEquals((await store.jobGet(a.id))?.dependants, [child.id]);
    assertEquals((await store.queueCounts()).find((q) => q.name === "default")?.deferred, 1);
    assertEquals((await store.jobList({ state: "deferred", limit: 10 })).jobs.length, 1);
    await settle(store, a, "finished");
    assertEquals((await store.jobGet(child.id))?.pendingParents, 1);
    assertEquals(await states(store, [child]), ["deferred"]);
    await settle(store, b, "finished");
    const [claimed] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 5,
      leaseMs: 1_000,
      now: T0 + 3,
    });
    assertEquals(claimed?.id, child.id);
    assertEquals((await store.queueCounts()).find((q) => q.name === "default")?.deferred, 0);
  });

  test("a parent failing for good cancels its dependants transitively", async (store) => {
    const parent = job();
    const child = job([parent.id], "other");
    const grandchild = job([child.id]);
    const bystander = job();
    await store.jobInsertMany({ jobs: [parent, child, grandchild, bystander] });
    await settle(store, parent, "failed");
    const [c, g] = await store.jobGetMany([child.id, grandchild.id]);
    assertEquals([c?.state, c?.cancelReason], ["canceled", `parent ${parent.id} failed`]);
    assertEquals([g?.state, g?.cancelReason], ["canceled", `parent ${child.id} canceled`]);
    assert(g?.expiresAt !== undefined);
    assertEquals(await states(store, [bystander]), ["queued"]);
  });

  test("a parent already finished counts as done, one already failed cancels", async (store) => {
    const [done, lost] = [job(), job()];
    await store.jobInsertMany({ jobs: [done, lost] });
    await settle(store, done, "finished");
    await settle(store, lost, "failed");
    const ready = job([done.id]);
    const doomed = job([done.id, lost.id]);
    await store.jobInsertMany({ jobs: [ready, doomed] });
    assertEquals(await states(store, [ready, doomed]), ["queued", "canceled"]);
    assertEquals((await store.jobGet(doomed.id))?.cancelReason, `parent ${lost.id} failed`);
  });

  test("an unknown parent is refused by its index and nothing is written", async (store) => {
    const parent = job();
    await store.jobInsertMany({ jobs: [parent] });
    const child = job([parent.id, newJobId(T0)]);
    const error = await assertRejects(
      () => store.jobInsertMany({ jobs: [job(), child] }),
      InvalidInputError,
    );
    assertEquals(error.issues.map((i) => i.path), ["depends_on[1]"]);
    assertEquals((await store.jobList({ limit: 10 })).jobs.map((j) => j.id), [parent.id]);
    assertEquals((await store.jobGet(parent.id))?.dependants, undefined);
  });

  test("parents and children inserted together link in one write", async (store) => {
    const root = job();
    const left = job([root.id], "other");
    const right = job([root.id]);
    const join = job([left.id, right.id]);
    await store.jobInsertMany({ jobs: [root, left, right, join] });
    assertEquals((await store.jobGet(root.id))?.dependants, [left.id, right.id]);
    await settle(store, root, "finished");
    assertEquals(await states(store, [left, right, join]), ["queued", "queued", "deferred"]);
    await settle(store, left, "finished");
    await settle(store, right, "finished");
    assertEquals(await states(store, [join]), ["queued"]);
  });
}
