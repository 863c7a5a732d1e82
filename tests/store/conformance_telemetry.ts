/**
 * Conformance of what observability needs of a store: every job change it writes is told to
 * its `onJobsWritten` listener once written (the statistics are summed from them above the
 * store), and job log lines kept as records list back in order. Registered from
 * `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runTelemetryConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { JobChange, Store } from "../../src/store/store.ts";
import {
  bucketIndex,
  MINUTE_MS,
  statDeltas,
  type StatEntry,
} from "../../src/metrics/stat_deltas.ts";
import { createJob, failAttempt, finishJob } from "../../src/transitions/mod.ts";
import {
  jobLogAppend,
  jobLogDelete,
  type JobLogLine,
  jobLogList,
} from "../../src/job_log/job_log.ts";

type Test = (
  name: string,
  fn: (store: Store, clock: unknown, written: JobChange[]) => Promise<void>,
) => void;

const T0 = Date.UTC(2026, 0, 1);

function stat(changes: JobChange[], ...key: (string | number)[]): number {
  const stats: StatEntry[] = changes.flatMap((c) => statDeltas(c.before, c.after));
  return stats.filter((s) => s.key.join("\u0000") === key.join("\u0000"))
    .reduce((sum, s) => sum + s.value, 0);
}

/**
 * Log lines of one job as an older tq kept them with the store (written an hour ago), for
 * the migration tests of each store; {@linkcode assertLogLinesKept} checks they survived.
 */
export function oldLogLines(now: number): JobLogLine[] {
  const jobId = newJobId(now);
  return Array.from({ length: 3 }, (_, i) => ({
    jobId,
    seq: `0${i}`,
    at: now - 3_600_000 + i,
    attempt: 1,
    message: `line ${i}`,
    ...(i === 1 ? { fields: { n: i } } : {}),
    workerId: "w",
  }));
}

/** Asserts that `lines` (of one job) list back from `store`, in order. */
export async function assertLogLinesKept(store: Store, lines: JobLogLine[]): Promise<void> {
  assertEquals(await jobLogList(store, { jobId: lines[0].jobId, limit: 10 }), lines);
}

/** Registers the observability conformance tests with the suite's `test`. */
export function runTelemetryConformance(test: Test): void {
  test("job log lines read back in order and are deleted with jobLogDelete", async (store) => {
    const id = newJobId(T0);
    const lines = Array.from({ length: 150 }, (_, i) => ({
      jobId: id,
      seq: String(i).padStart(4, "0"),
      at: T0 + i,
      attempt: 1,
      message: `line ${i}`,
    }));
    await jobLogAppend(store, lines.toReversed());
    assertEquals(await jobLogList(store, { jobId: id, limit: 200 }), lines);
    assertEquals((await jobLogList(store, { jobId: id, limit: 2 })).length, 2);
    await jobLogDelete(store, id);
    assertEquals(await jobLogList(store, { jobId: id, limit: 200 }), []);
  });

  test(
    "inserts, claims and updates are told to onJobsWritten once written",
    async (store, _clock, written) => {
      const ok = createJob({ id: newJobId(T0), task: "t", queue: "q", input: 1 }, T0);
      const bad = createJob({ id: newJobId(T0 + 1), task: "t", queue: "q", input: 2 }, T0);
      await store.jobInsertMany({ jobs: [ok, bad] });
      const claimed = await store.jobClaim({
        queues: ["q"],
        workerId: "w",
        limit: 2,
        leaseMs: 60_000,
        now: T0 + 2_000,
      });
      const [a, b] = claimed;
      const finished = finishJob(a, { now: T0 + 2_040, result: null, ttlMs: 1 });
      const retried = failAttempt(b, {
        now: T0 + 2_300,
        error: { name: "Error", message: "boom" },
        retryDelayMs: 1_000,
        ttlMs: 1,
      });
      await store.jobUpdateMany({
        updates: [{ before: a, after: finished }, { before: b, after: retried }],
      });
      // A conflicting update is not told: nothing was written.
      await store.jobUpdateMany({ updates: [{ before: a, after: finished }] });
      assertEquals(stat(written, "jobs", "enqueued", "q", "t"), 2);
      assertEquals(stat(written, "jobs", "started", "q", "t"), 2);
      assertEquals(stat(written, "jobs", "finished", "q", "t"), 1);
      assertEquals(stat(written, "jobs", "retried", "q", "t"), 1);
      assertEquals(stat(written, "hist", "wait", "q", "t", bucketIndex(2_000)), 2);
      assertEquals(stat(written, "hist_ms", "wait", "q", "t"), 4_000);
      assertEquals(stat(written, "hist", "run", "q", "t", bucketIndex(40)), 1);
      assertEquals(stat(written, "hist", "run", "q", "t", bucketIndex(300)), 1);
      assertEquals(stat(written, "hist_ms", "run", "q", "t"), 340);
      const minute = Math.floor((T0 + 2_040) / MINUTE_MS);
      assertEquals(stat(written, "minute", minute, "finished"), 1);
      assertEquals(await store.jobDelete({ job: finished }), true);
      assertEquals(written.at(-1), { before: finished, after: null });
    },
  );

  test(
    "linked inserts and the cascade of a failed parent are told to onJobsWritten",
    async (store, _clock, written) => {
      const parent = createJob({ id: newJobId(T0), task: "t", input: 1 }, T0);
      await store.jobInsertMany({ jobs: [parent] });
      const child = createJob(
        { id: newJobId(T0 + 1), task: "t", input: 2, dependsOn: [parent.id] },
        T0,
      );
      const grouped = createJob({ id: newJobId(T0 + 2), task: "t", input: 3, group: "g" }, T0);
      await store.jobInsertMany({ jobs: [child] });
      await store.jobInsertMany({ jobs: [grouped] });
      assertEquals(stat(written, "jobs", "enqueued", "default", "t"), 3);
      // The parent as linked to its child: a change of a job already there.
      assertEquals(
        written.some((c) => c.before?.id === parent.id && c.after?.id === parent.id),
        true,
      );
      const [running] = await store.jobClaim({
        queues: ["default"],
        workerId: "w",
        limit: 1,
        leaseMs: 1_000,
        now: T0 + 5,
      });
      assertEquals(running.id, parent.id);
      const failed = failAttempt(running, {
        now: T0 + 6,
        error: { name: "Error", message: "boom" },
        retryDelayMs: 0,
        ttlMs: 1,
        final: true,
      });
      await store.jobUpdateMany({ updates: [{ before: running, after: failed }] });
      assertEquals(stat(written, "jobs", "failed", "default", "t"), 1);
      assertEquals(stat(written, "jobs", "canceled", "default", "t"), 1); // the child
    },
  );

  test(
    "a capped claim is told to onJobsWritten as a plain one is",
    async (store, _clock, written) => {
      const jobs = [0, 1].map((i) =>
        createJob({ id: newJobId(T0 + i), task: "t", queue: "q", input: i }, T0)
      );
      await store.jobInsertMany({ jobs });
      const { jobs: claimed } = await store.jobClaimCapped({
        queues: ["q"],
        workerId: "w",
        limit: 2,
        leaseMs: 1_000,
        now: T0 + 1_000,
        caps: { queues: { q: 1 } },
      });
      assertEquals(claimed.length, 1);
      assertEquals(written.at(-1), { before: jobs[0], after: claimed[0] });
      assertEquals(stat(written, "jobs", "started", "q", "t"), 1);
      assertEquals(stat(written, "hist_ms", "wait", "q", "t"), 1_000);
    },
  );

  test(
    "a record commit's jobs are told to onJobsWritten, a failed one's not",
    async (store, _clock, written) => {
      const job = createJob({ id: newJobId(T0), task: "t", queue: "q", input: 1 }, T0);
      await store.recordPut({ space: "test", key: "k", value: 1 });
      const check = { space: "test", key: "k", version: null };
      assertEquals(await store.recordCommit({ checks: [check], jobs: [job] }), false);
      assertEquals(written, []);
      assertEquals(await store.recordCommit({ jobs: [job] }), true);
      assertEquals(stat(written, "jobs", "enqueued", "q", "t"), 1);
    },
  );
}
