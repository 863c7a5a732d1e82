/**
 * Conformance of the observability methods: job log lines and the statistics summed by job changes. Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runTelemetryConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Store } from "../../src/store/store.ts";
import type { StatEntry } from "../../src/store/telemetry.ts";
import { bucketIndex, MINUTE_MS } from "../../src/metrics/stat_deltas.ts";
import { createJob, failAttempt, finishJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);

function stat(stats: StatEntry[], ...key: (string | number)[]): number {
  return stats.find((s) => s.key.join("\u0000") === key.join("\u0000"))?.value ?? 0;
}

/** Registers the observability conformance tests with the suite's `test`. */
export function runTelemetryConformance(test: Test): void {
  test("job log lines read back in order and go with their job", async (store) => {
    const job = createJob({ id: newJobId(T0), task: "t", input: 1 }, T0);
    await store.jobInsertMany({ jobs: [job] });
    const lines = Array.from({ length: 150 }, (_, i) => ({
      jobId: job.id,
      seq: String(i).padStart(4, "0"),
      at: T0 + i,
      attempt: 1,
      message: `line ${i}`,
    }));
    await store.jobLogAppend({ lines: lines.toReversed() });
    assertEquals(await store.jobLogList({ jobId: job.id, limit: 200 }), lines);
    assertEquals((await store.jobLogList({ jobId: job.id, limit: 2 })).length, 2);
    assertEquals(await store.jobDelete({ job }), true);
    assertEquals(await store.jobLogList({ jobId: job.id, limit: 200 }), []);
  });

  test("job changes sum event counters, histograms and minute counts", async (store) => {
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
    const stats = await store.statsGet({ since: T0 });
    assertEquals(stat(stats, "jobs", "enqueued", "q", "t"), 2);
    assertEquals(stat(stats, "jobs", "started", "q", "t"), 2);
    assertEquals(stat(stats, "jobs", "finished", "q", "t"), 1);
    assertEquals(stat(stats, "jobs", "retried", "q", "t"), 1);
    assertEquals(stat(stats, "hist", "wait", "q", "t", bucketIndex(2_000)), 2);
    assertEquals(stat(stats, "hist_ms", "wait", "q", "t"), 4_000);
    assertEquals(stat(stats, "hist", "run", "q", "t", bucketIndex(40)), 1);
    assertEquals(stat(stats, "hist", "run", "q", "t", bucketIndex(300)), 1);
    assertEquals(stat(stats, "hist_ms", "run", "q", "t"), 340);
    const minute = Math.floor((T0 + 2_040) / MINUTE_MS);
    assertEquals(stat(stats, "minute", minute, "finished"), 1);
    const later = await store.statsGet({ since: T0 + 10 * MINUTE_MS });
    assertEquals(stat(later, "minute", minute, "finished"), 0);
    assertEquals(stat(later, "jobs", "finished", "q", "t"), 1);
  });
}
