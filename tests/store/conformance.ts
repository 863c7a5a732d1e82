/**
 * The store conformance suite: the same behaviours, run unchanged against every backend
 * (after River's riverdrivertest). A backend is done only when it passes all of them.
 *
 * @example
 * ```ts ignore
 * runStoreConformance("kv", async (clock) => ({ store: await openKvStore(path, { clock }), cleanup }));
 * ```
 * @module
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { PayloadTooLargeError } from "../../src/errors.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job } from "../../src/job.ts";
import type { JobChange, JobsWrittenListener, Store } from "../../src/store/store.ts";
import { withLinks } from "../../src/flows/linked_store.ts";
import { createJob, failAttempt, finishJob, type JobSpec } from "../../src/transitions/mod.ts";
import { runTelemetryConformance } from "./conformance_telemetry.ts";
import { runScheduleConformance } from "./conformance_schedules.ts";
import { runRecordConformance } from "./conformance_records.ts";
import {
  runRecordCommitConformance,
  runRecordCommitJobConformance,
} from "./conformance_record_commit.ts";
import { runTraceConformance } from "./conformance_trace.ts";
import { runDependencyConformance } from "./conformance_dependencies.ts";
import { runIdempotencyConformance } from "./conformance_idempotency.ts";
import { runBatchConformance } from "./conformance_batches.ts";
import { runRateLimitConformance } from "./conformance_rate_limits.ts";
import { runClaimCapConformance } from "./conformance_claim_caps.ts";
import { runGroupConformance } from "./conformance_groups.ts";
import { runConcurrencyConformance } from "./conformance_concurrency.ts";
import { runDebounceConformance } from "./conformance_debounce.ts";
import { runCallbackConformance } from "./conformance_callbacks.ts";
import { runDeletionConformance } from "./conformance_deletion.ts";
import { runRetentionConformance } from "./conformance_retention.ts";
import { runDoctorConformance } from "./conformance_doctor.ts";
import { runQueueLatencyConformance } from "./conformance_queue_latency.ts";
import type { StoreDamage } from "./store_damage.ts";
import { runSearchConformance } from "./conformance_search.ts";
import { runEventConformance } from "./conformance_events.ts";

/** A fresh, empty store and how to dispose of it. */
export interface StoreFixture {
  store: Store;
  cleanup(): Promise<void>;
  /** Writes behind the store's back, for the doctor tests (`store_damage.ts`). */
  damage?: StoreDamage;
}

const T0 = Date.UTC(2026, 0, 1);

function job(spec: Partial<JobSpec> = {}, now = T0): Job {
  return createJob({ id: newJobId(now), task: "t", input: { n: 1 }, ...spec }, now);
}

/**
 * Registers every conformance test for one backend. `open` gets a fake clock the store must
 * time its own waits by (rate-limit wake-ups), so tests move time
 * instead of sleeping, and the `onJobsWritten` listener to open the store with. A backend whose fixture cannot write behind the store's back
 * (`damage`) skips the doctor tests, with `noDamage` as the reason.
 */
export function runStoreConformance(
  backend: string,
  open: (clock: FakeClock, onJobsWritten: JobsWrittenListener) => Promise<StoreFixture>,
  { noDamage }: { noDamage?: string } = {},
): void {
  const test = (
    name: string,
    fn: (store: Store, clock: FakeClock, written: JobChange[]) => Promise<void>,
  ) =>
    Deno.test(`[${backend}] ${name}`, async () => {
      const clock = new FakeClock();
      const written: JobChange[] = [];
      const fixture = await open(clock, (changes) => written.push(...changes));
      try {
        await fn(withLinks(fixture.store), clock, written);
      } finally {
        fixture.damage?.close();
        await fixture.cleanup();
      }
    });
  runTelemetryConformance(test);
  runScheduleConformance(test);
  runRecordConformance(test);
  runRecordCommitConformance(test);
  runRecordCommitJobConformance(test);
  runQueueLatencyConformance(test);
  runTraceConformance(test);
  runDependencyConformance(test);
  runIdempotencyConformance(test);
  runBatchConformance(test);
  runClaimCapConformance(test);
  runRateLimitConformance(test);
  runGroupConformance(test);
  runConcurrencyConformance(test);
  runDebounceConformance(test);
  runCallbackConformance(test);
  runDeletionConformance(test);
  runEventConformance(test);
  runRetentionConformance(test);
  runDoctorConformance((name, fn) =>
    Deno.test({
      name: `[${backend}] ${name}${noDamage ? ` (skipped: ${noDamage})` : ""}`,
      ignore: noDamage !== undefined,
    }, async () => {
      const fixture = await open(new FakeClock(), () => {});
      try {
        await fn(withLinks(fixture.store), fixture.damage!);
      } finally {
        fixture.damage?.close();
        await fixture.cleanup();
      }
    })
  );
  runSearchConformance(test);

  test("a notify wakes an idle claimant of that queue", async (store) => {
    let woken = false;
    const waited = store.workWait({ queues: ["mail"], timeoutMs: 60_000 }).then(() => woken = true);
    const started = performance.now();
    // Until the wait has subscribed (Redis, PostgreSQL), a notify may pass it by: repeat.
    while (!woken) {
      await store.workNotify({ queues: ["mail"] });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await waited;
    assert(performance.now() - started < 30_000, "woken by the notify, not the timeout");
  });

  test("an inserted job reads back whole and is counted", async (store) => {
    const queued = job({ queue: "mail" });
    await store.jobInsertMany({ jobs: [queued] });
    assertEquals(await store.jobGet(queued.id), queued);
    const [counts] = await store.queueCounts();
    assertEquals(counts, {
      name: "mail",
      deferred: 0,
      queued: 1,
      scheduled: 0,
      started: 0,
      waiting: 0,
      finished: 0,
      failed: 0,
      canceled: 0,
    });
  });

  test("claim takes the lowest priority number first, then FIFO", async (store) => {
    const late = job({ priority: 5 }, T0);
    const first = job({}, T0 + 1);
    const second = job({}, T0 + 2);
    const urgent = job({ priority: -1 }, T0 + 3);
    await store.jobInsertMany({ jobs: [late, first, second, urgent] });
    const claimed = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 4,
      leaseMs: 1000,
      now: T0 + 10,
    });
    assertEquals(claimed.map((j) => j.id), [urgent.id, first.id, second.id, late.id]);
    assert(claimed.every((j) => j.state === "started" && j.attempts === 1));
  });

  test("claim serves queues in the order given", async (store) => {
    const low = job({ queue: "low" });
    const urgent = job({ queue: "urgent" }, T0 + 1);
    await store.jobInsertMany({ jobs: [low, urgent] });
    const [claimed] = await store.jobClaim({
      queues: ["urgent", "low"],
      workerId: "w",
      limit: 1,
      leaseMs: 1000,
      now: T0,
    });
    assertEquals(claimed.id, urgent.id);
  });

  test("one claim fills its limit from later queues, each job counted in its own", async (store) => {
    const urgent = [job({ queue: "urgent" }), job({ queue: "urgent" }, T0 + 1)];
    const low = [1, 2, 3].map((i) => job({ queue: "low" }, T0 + i));
    await store.jobInsertMany({ jobs: [...urgent, ...low] });
    const claimed = await store.jobClaim({
      queues: ["urgent", "empty", "low"],
      workerId: "w",
      limit: 4,
      leaseMs: 1000,
      now: T0 + 10,
    });
    assertEquals(
      claimed.map((j) => [j.queue, j.id]),
      [...urgent, low[0], low[1]].map((j) => [j.queue, j.id]),
    );
    const counts = Object.fromEntries(
      (await store.queueCounts()).map((c) => [c.name, [c.queued, c.started]]),
    );
    assertEquals([counts.urgent, counts.low], [[0, 2], [1, 2]]);
  });

  test("concurrent claimants never get the same job", async (store) => {
    const jobs = Array.from({ length: 200 }, (_, i) => job({}, T0 + i));
    for (let i = 0; i < jobs.length; i += 50) {
      await store.jobInsertMany({ jobs: jobs.slice(i, i + 50) });
    }
    const claimant = async (workerId: string) => {
      const mine: Job[] = [];
      for (let round = 0; round < 100; round++) {
        const got = await store.jobClaim({
          queues: ["default"],
          workerId,
          limit: 7,
          leaseMs: 1000,
          now: T0,
        });
        if (got.length === 0) break;
        mine.push(...got);
      }
      return mine;
    };
    const results = await Promise.all(["a", "b", "c", "d"].map(claimant));
    const ids = results.flat().map((j) => j.id);
    assertEquals(ids.length, 200);
    assertEquals(new Set(ids).size, 200);
  });

  test("an update from a stale version is refused", async (store) => {
    const queued = job();
    await store.jobInsertMany({ jobs: [queued] });
    const [started] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 1,
      leaseMs: 1000,
      now: T0,
    });
    const done = finishJob(started, { now: T0 + 5, result: 42, ttlMs: 1000 });
    assertEquals(await store.jobUpdateMany({ updates: [{ before: started, after: done }] }), {
      applied: [queued.id],
      conflicted: [],
    });
    assertEquals(await store.jobGet(queued.id), done, "the written record reads back whole");
    assertEquals(await store.jobListLeaseExpired({ now: T0 + 5_000, limit: 10 }), []);
    const again = finishJob(started, { now: T0 + 6, result: 43, ttlMs: 1000 });
    assertEquals(await store.jobUpdateMany({ updates: [{ before: started, after: again }] }), {
      applied: [],
      conflicted: [queued.id],
    });
    assertEquals((await store.jobGet(queued.id))?.result, 42);
  });

  test("counts follow a job through its states", async (store) => {
    await store.jobInsertMany({ jobs: [job(), job({}, T0 + 1)] });
    const [a, b] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 2,
      leaseMs: 1000,
      now: T0,
    });
    const failure = { now: T0, retryDelayMs: 0, ttlMs: 1000, final: true };
    await store.jobUpdateMany({
      updates: [
        { before: a, after: finishJob(a, { now: T0, result: null, ttlMs: 1000 }) },
        { before: b, after: failAttempt(b, { ...failure, error: { name: "E", message: "x" } }) },
      ],
    });
    const [counts] = await store.queueCounts();
    assertEquals([counts.queued, counts.started, counts.finished, counts.failed], [0, 0, 1, 1]);
  });

  test("scheduled jobs are listed once due, earliest first", async (store) => {
    const soon = job({ runAt: T0 + 100 });
    const later = job({ runAt: T0 + 500 });
    await store.jobInsertMany({ jobs: [later, soon] });
    assertEquals(await store.jobNextRunAt(), T0 + 100);
    assertEquals(await store.jobListDue({ now: T0 + 99, limit: 10 }), []);
    assertEquals((await store.jobListDue({ now: T0 + 500, limit: 10 })).map((j) => j.id), [
      soon.id,
      later.id,
    ]);
    const claimed = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 10,
      leaseMs: 1000,
      now: T0 + 1000,
    });
    assertEquals(claimed, [], "a scheduled job is not claimable before it is promoted");
  });

  test("expired leases and expired results are listed by time", async (store) => {
    await store.jobInsertMany({ jobs: [job()] });
    const [started] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 1,
      leaseMs: 1000,
      now: T0,
    });
    assertEquals(await store.jobListLeaseExpired({ now: T0 + 999, limit: 10 }), []);
    assertEquals(
      (await store.jobListLeaseExpired({ now: T0 + 1000, limit: 10 }))[0].id,
      started.id,
    );
    const done = finishJob(started, { now: T0 + 10, result: 1, ttlMs: 60_000 });
    await store.jobUpdateMany({ updates: [{ before: started, after: done }] });
    assertEquals(await store.jobListLeaseExpired({ now: T0 + 5000, limit: 10 }), []);
    assertEquals(await store.jobListExpired({ now: T0 + 60_009, limit: 10 }), []);
    assertEquals((await store.jobListExpired({ now: T0 + 60_010, limit: 10 }))[0].id, done.id);
  });

  test("jobDeleteMany deletes the jobs still at their version and no others", async (store) => {
    const jobs = Array.from({ length: 120 }, (_, i) => job({}, T0 + i));
    await store.jobInsertMany({ jobs });
    const moved = { ...jobs[5], version: jobs[5].version + 1 };
    const deleted = await store.jobDeleteMany({
      jobs: [...jobs.slice(0, 5), moved, ...jobs.slice(6)],
    });
    assertEquals(deleted.length, 119);
    assertEquals(deleted.includes(jobs[5].id), false);
    assertEquals((await store.queueCounts())[0].queued, 1);
    assertEquals((await store.jobGet(jobs[5].id))?.id, jobs[5].id);
  });

  test("a deleted job is gone with its index entries and counts", async (store) => {
    const queued = job();
    await store.jobInsertMany({ jobs: [queued] });
    assert(await store.jobDelete({ job: queued }));
    assertEquals(await store.jobGet(queued.id), null);
    assertEquals((await store.queueCounts())[0].queued, 0);
    assertEquals(
      await store.jobClaim({ queues: ["default"], workerId: "w", limit: 1, leaseMs: 1, now: T0 }),
      [],
    );
    assertEquals((await store.jobList({ limit: 10 })).jobs, []);
  });

  test("listing filters by state, queue and task, newest first, with a cursor", async (store) => {
    const jobs = Array.from(
      { length: 7 },
      (_, i) => job({ queue: i % 2 ? "odd" : "even", task: i < 5 ? "t" : "u" }, T0 + i),
    );
    await store.jobInsertMany({ jobs });
    const first = await store.jobList({ state: "queued", queue: "even", limit: 2 });
    assertEquals(first.jobs.map((j) => j.id), [jobs[6].id, jobs[4].id]);
    const second = await store.jobList({
      state: "queued",
      queue: "even",
      limit: 2,
      cursor: first.nextCursor,
    });
    assertEquals(second.jobs.map((j) => j.id), [jobs[2].id, jobs[0].id]);
    const byTask = await store.jobList({ task: "u", limit: 10 });
    assertEquals(byTask.jobs.map((j) => j.id), [jobs[6].id, jobs[5].id]);
    assertEquals(byTask.nextCursor, undefined);
  });

  test("a listing by state holds the jobs in that state and no others", async (store) => {
    const jobs = [job({}, T0), job({}, T0 + 1), job({ runAt: T0 + 60_000 }, T0 + 2)];
    await store.jobInsertMany({ jobs });
    const [claimed] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 1,
      leaseMs: 1_000,
      now: T0 + 3,
    });
    const ids = async (state: Job["state"]) =>
      (await store.jobList({ state, limit: 10 })).jobs.map((j) => j.id);
    assertEquals(await ids("queued"), [jobs[1].id]);
    assertEquals(await ids("started"), [claimed.id]);
    assertEquals(await ids("scheduled"), [jobs[2].id]);
  });

  test("a record over the size limit is refused and nothing is written", async (store) => {
    const big = job({ input: "x".repeat(store.maxJobBytes) });
    assert(store.jobBytes(big) > store.maxJobBytes);
    const small = job({}, T0 + 1);
    await assertRejects(() => store.jobInsertMany({ jobs: [small, big] }), PayloadTooLargeError);
    assertEquals(await store.jobGet(small.id), null);
    assertEquals(await store.queueCounts(), []);
  });

  test("an insert is refused by the sizes its caller measured, and nothing is written", async (store) => {
    const small = job({});
    const bytes = [store.maxJobBytes + 1];
    await assertRejects(() => store.jobInsertMany({ jobs: [small], bytes }), PayloadTooLargeError);
    assertEquals(await store.jobGet(small.id), null);
    await store.jobInsertMany({ jobs: [small], bytes: [store.jobBytes(small)] });
    assertEquals((await store.jobGet(small.id))?.id, small.id);
  });

  test("records filling maxCommitBytes insert whole in one call", async (store) => {
    const count = 8;
    const pad = (i: number) => {
      const empty = job({ input: "" }, T0 + i);
      const input = "x".repeat(Math.floor(store.maxCommitBytes / count) - store.jobBytes(empty));
      return { ...empty, input };
    };
    const jobs = Array.from({ length: count }, (_, i) => pad(i));
    const bytes = jobs.map((j) => store.jobBytes(j));
    assert(bytes.every((b) => b <= store.maxJobBytes));
    assert(bytes.reduce((a, b) => a + b) > store.maxCommitBytes - count);
    await store.jobInsertMany({ jobs });
    const stored = await store.jobGetMany(jobs.map((j) => j.id));
    assertEquals(stored.map((j) => j?.input), jobs.map((j) => j.input));
  });

  test("a batch of the largest size inserts whole", async (store) => {
    const jobs = Array.from({ length: store.maxInsertBatch }, (_, i) => job({}, T0 + i));
    await store.jobInsertMany({ jobs });
    assertEquals((await store.queueCounts())[0].queued, store.maxInsertBatch);
    await assertRejects(
      () => store.jobInsertMany({ jobs: [...jobs, job()].map((j) => ({ ...j, id: newJobId() })) }),
      RangeError,
    );
    assertEquals((await store.queueCounts())[0].queued, store.maxInsertBatch);
  });

  test("workWait wakes when a job is enqueued", async (store) => {
    const started = performance.now();
    const waiting = store.workWait({ queues: ["default"], timeoutMs: 10_000 });
    await store.jobInsertMany({ jobs: [job()] });
    await waiting;
    assert(performance.now() - started < 5_000);
  });

  test("an extended lease moves its expiry", async (store) => {
    await store.jobInsertMany({ jobs: [job()] });
    const [started] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 1,
      leaseMs: 1000,
      now: T0,
    });
    const extended = { ...started, leaseExpiresAt: T0 + 5000, version: started.version + 1 };
    await store.jobUpdateMany({ updates: [{ before: started, after: extended }] });
    assertEquals(await store.jobListLeaseExpired({ now: T0 + 4999, limit: 10 }), []);
    assertEquals(await store.jobListLeaseExpired({ now: T0 + 5000, limit: 10 }), [extended]);
  });
}
