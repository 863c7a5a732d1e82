/**
 * Conformance of `tq doctor` (issue #20, `src/maintenance/doctor/`): a clean store reports
 * nothing; each kind of damage (made through `store_damage.ts`, or by the store's own
 * `jobDelete`, which does not look at dependants) is found, repaired with the action its
 * finding names, and a second run finds nothing. Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runDoctorConformance(test);
 * ```
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job } from "../../src/job.ts";
import { silentLogger } from "../../src/log.ts";
import { type DoctorReport, runDoctor } from "../../src/maintenance/doctor/doctor.ts";
import type { BatchRecord } from "../../src/store/batches.ts";
import { batchCreate, batchGet } from "../../src/batches/batch_records.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob, finishJob, type JobSpec } from "../../src/transitions/mod.ts";
import type { StoreDamage } from "./store_damage.ts";
import { workerBeat } from "../../src/presence/worker_registry.ts";

type Test = (name: string, fn: (store: Store, damage: StoreDamage) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const job = (spec: Partial<JobSpec> = {}) =>
  createJob({ id: newJobId(T0), task: "t", input: {}, ...spec }, T0);

const doctor = (store: Store, repair: boolean, now = T0 + 1_000): Promise<DoctorReport> =>
  runDoctor({ store, clock: new FakeClock(now), logger: silentLogger, repair });

const kinds = (report: DoctorReport) => report.findings.map((f) => f.kind).sort();

/** Finds `expected`, repairs every finding, and then finds nothing. */
async function repairs(store: Store, expected: string[], now = T0 + 1_000): Promise<void> {
  const found = await doctor(store, false, now);
  assertEquals(kinds(found), [...expected].sort(), JSON.stringify(found.findings));
  const repaired = await doctor(store, true, now);
  assertEquals(kinds(repaired), [...expected].sort());
  assert(repaired.findings.every((f) => f.repaired), JSON.stringify(repaired.findings));
  const after = await doctor(store, false, now);
  assertEquals(after.findings, []);
  assert(after.clean);
}

/** Registers the doctor tests with a backend's `test`. */
export function runDoctorConformance(test: Test): void {
  test("doctor raises no false alarm while jobs move under it", async (store) => {
    let stop = false;
    const churn = (async () => {
      for (let round = 0; !stop && round < 400; round++) {
        const now = T0 + round;
        const parent = job();
        await store.jobInsertMany({ jobs: [parent, job({ runAt: now + 5 })] });
        await store.jobInsertMany({ jobs: [job({ dependsOn: [parent.id] })] });
        await store.jobInsertMany({ jobs: [job({ group: "g" })] });
        const due = await store.jobListDue({ now, limit: 10 });
        await store.jobUpdateMany({
          updates: due.map((j) => ({
            before: j,
            after: { ...j, state: "queued", version: j.version + 1 },
          })),
        });
        const claimed = await store.jobClaim({
          queues: ["default"],
          workerId: "w",
          limit: 3,
          leaseMs: 60_000,
          now,
        });
        for (const c of claimed) {
          await store.jobUpdateMany({
            updates: [{ before: c, after: finishJob(c, { now, result: null, ttlMs: 60_000 }) }],
          });
        }
      }
    })();
    try {
      for (let i = 0; i < 5; i++) {
        const report = await doctor(store, false);
        assertEquals(report.findings, []);
      }
    } finally {
      stop = true;
      await churn;
    }
  });

  test("doctor finds nothing in a healthy store of every kind of job", async (store) => {
    const parent = job();
    const [a, b] = [job({ group: "g" }), job({ group: "g" })];
    await store.jobInsertMany({ jobs: [parent, job({ runAt: T0 + 60_000 })] });
    await store.jobInsertMany({ jobs: [a, b] });
    await store.jobInsertMany({ jobs: [job({ dependsOn: [parent.id] })] });
    await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 1,
      leaseMs: 60_000,
      now: T0,
    });
    const report = await doctor(store, false);
    assertEquals(report.findings, []);
    assertEquals([report.clean, report.scanned_jobs], [true, 5]);
  });

  test("doctor cancels a dependant whose parent was deleted, and its own", async (store) => {
    const parent = job();
    await store.jobInsertMany({ jobs: [parent] });
    const child = job({ dependsOn: [parent.id], callbackUrl: "http://127.0.0.1:9/cb" });
    await store.jobInsertMany({ jobs: [child] });
    const grandchild = job({ dependsOn: [child.id] });
    await store.jobInsertMany({ jobs: [grandchild] });
    assert(await store.jobDelete({ job: (await store.jobGet(parent.id))! }));
    await repairs(store, ["parent_gone"]);
    const [c, g] = await store.jobGetMany([child.id, grandchild.id]);
    assertEquals([c?.state, c?.cancelReason], ["canceled", `parent ${parent.id} gone`]);
    assertEquals([g?.state, g?.cancelReason], ["canceled", `parent ${child.id} canceled`]);
    assertEquals(c?.callbackDueAt, T0 + 1_000); // its callback still tells its sender
  });

  test("doctor releases the next job of a group whose head is gone", async (store) => {
    const [a, b, c] = [job({ group: "g" }), job({ group: "g" }), job({ group: "g" })];
    await store.jobInsertMany({ jobs: [a, b, c] });
    assert(await store.jobDelete({ job: (await store.jobGet(a.id))! }));
    await repairs(store, ["group_head_gone"]);
    const claimed = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 5,
      leaseMs: 1_000,
      now: T0 + 2_000,
    });
    assertEquals(claimed.map((j) => j.id), [b.id]);
    assertEquals((await store.jobGet(c.id))?.state, "deferred");
  });

  test("doctor links a dependant again to a waiting parent that lost it", async (store) => {
    const parent = job();
    await store.jobInsertMany({ jobs: [parent] });
    const child = job({ dependsOn: [parent.id] });
    await store.jobInsertMany({ jobs: [child] });
    // Damage through the store's own write: the parent's record forgets its dependant.
    const before = (await store.jobGet(parent.id))!;
    const { dependants: _, ...forgot } = before;
    await store.jobUpdateMany({
      updates: [{ before, after: { ...forgot, version: before.version + 1 } }],
    });
    await repairs(store, ["parent_unlinked"]);
    assertEquals((await store.jobGet(parent.id))?.dependants, [child.id]);
    assertEquals((await store.jobGet(child.id))?.state, "deferred");
  });

  test("doctor fails the attempt of a lease held by a worker not seen", async (store) => {
    const [lost, kept] = [job({ maxAttempts: 3 }), job()];
    await store.jobInsertMany({ jobs: [lost] });
    await store.jobClaim({
      queues: ["default"],
      workerId: "ghost",
      limit: 1,
      leaseMs: 1_000,
      now: T0,
    });
    await store.jobInsertMany({ jobs: [kept] });
    await store.jobClaim({
      queues: ["default"],
      workerId: "alive",
      limit: 1,
      leaseMs: 1_000,
      now: T0,
    });
    const now = T0 + 60_000;
    await workerBeat(store, {
      worker: {
        id: "alive",
        host: "h",
        pid: 1,
        concurrency: 1,
        queues: ["default"],
        runningJobIds: [kept.id],
        running: 1,
        startedAt: T0,
        lastHeartbeatAt: now,
        expiresAt: now + 60_000,
      },
      ttlMs: 60_000,
    });
    // Within the grace (30 s past the lease) nothing is reported: the rescuer's business.
    assertEquals((await doctor(store, false, T0 + 20_000)).findings, []);
    const found = await doctor(store, false, now);
    assertEquals(found.findings.map((f) => [f.kind, f.job_id]), [["stale_lease", lost.id]]);
    await repairs(store, ["stale_lease"], now);
    const rescued = (await store.jobGet(lost.id))!;
    assertEquals([rescued.state, rescued.errors[0].name], ["scheduled", "LeaseExpiredError"]);
    assertEquals((await store.jobGet(kept.id))?.state, "started");
  });

  test("doctor drops index entries whose record is gone", async (store, damage) => {
    const [gone, other] = [job(), job({ runAt: T0 + 60_000 })];
    await store.jobInsertMany({ jobs: [gone, other] });
    await damage.dropRecord(gone);
    await damage.dropRecord(other);
    const found = await doctor(store, false);
    assert(found.findings.length > 0);
    assert(found.findings.every((f) => f.kind === "entry_without_record"));
    const repaired = await doctor(store, true);
    assert(repaired.findings.every((f) => f.repaired));
    // With the indexes right, the next run counts: the queue still counts the lost jobs.
    await repairs(store, ["queue_counts"]);
    assertEquals((await store.queueCounts())[0].queued, 0);
    assertEquals(
      await store.jobClaim({ queues: ["default"], workerId: "w", limit: 5, leaseMs: 1, now: T0 }),
      [],
    );
  });

  test("doctor drops an index entry its record does not imply", async (store, damage) => {
    const queued = job();
    await store.jobInsertMany({ jobs: [queued] });
    const [started] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 1,
      leaseMs: 60_000,
      now: T0,
    });
    await damage.writeIndexes(queued); // a ready entry for a started job
    await repairs(store, ["entry_disagrees"]);
    assertEquals((await store.jobGet(started.id))?.state, "started");
    assertEquals(
      await store.jobClaim({ queues: ["default"], workerId: "x", limit: 5, leaseMs: 1, now: T0 }),
      [],
    );
  });

  test("doctor re-indexes a record missing from its indexes", async (store, damage) => {
    const [hidden, delayed] = [job(), job({ runAt: T0 + 500 })];
    await store.jobInsertMany({ jobs: [hidden, delayed] });
    await damage.dropIndexes(hidden);
    await damage.dropIndexes(delayed);
    const claim = () =>
      store.jobClaim({ queues: ["default"], workerId: "w", limit: 5, leaseMs: 1, now: T0 });
    assertEquals(await claim(), []);
    const found = await doctor(store, false);
    assertEquals(
      [...new Set(found.findings.map((f) => f.job_id))].sort(),
      [hidden.id, delayed.id].sort(),
    );
    assert(found.findings.every((f) => f.kind === "record_unindexed"));
    await doctor(store, true);
    assertEquals((await doctor(store, false)).findings, []);
    assertEquals((await claim()).map((j) => j.id), [hidden.id]);
    assertEquals((await store.jobListDue({ now: T0 + 1_000, limit: 5 })).map((j) => j.id), [
      delayed.id,
    ]);
  });

  test("doctor sets the counts of a batch that disagree with its jobs", async (store, damage) => {
    const id = "01JBATCH000000000000000000";
    const jobs: Job[] = [{ ...job(), batchId: id }, { ...job(), batchId: id }];
    await store.jobInsertMany({ jobs });
    const batch: BatchRecord = { id, total: 2, queues: ["default"], createdAt: T0 };
    await batchCreate(store, { batch });
    await damage.setBatchCount(id, "default", "started", 1);
    await damage.setBatchCount(id, "default", "queued", 1);
    await repairs(store, ["batch_counts"]);
    const status = await batchGet(store, { id });
    assertEquals([status?.counts.queued, status?.counts.started], [2, 0]);
  });
}
