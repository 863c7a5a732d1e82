/**
 * Retention soak: 200,000 jobs (`TQ_SOAK_JOBS`; the suite's default run takes 30,000 to
 * stay near a minute, see docs/reliability.md) enqueued in batches, run by an in-process worker and
 * deleted by the pruner once their (short) result TTL has passed. At the end no job, no
 * index entry and no count is left, and the KV file is only as large as the most jobs
 * that were alive at once needed: SQLite reuses the pages freed by deleted jobs, so the
 * file tracks the live set, not the history. The figures are printed.
 */
import { systemClock } from "../../src/clock.ts";
import { silentLogger } from "../../src/log.ts";
import { Pruner } from "../../src/maintenance/pruner.ts";
import { Producer } from "../../src/producer.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import type { Store } from "../../src/store/store.ts";
import { Worker } from "../../src/worker/mod.ts";
import { registry } from "../../tasks/mod.ts";
import { assert, assertEquals } from "../assert.ts";
import { tempDb } from "../integration/tq_process.ts";
import { checkConsistency } from "./consistency.ts";

const JOBS = Number(Deno.env.get("TQ_SOAK_JOBS") ?? 30_000);
/** The producer waits while this many jobs are alive (not yet pruned). */
const MAX_LIVE = Math.min(20_000, Math.round(JOBS / 3));
/** The pruner deletes ~1,100 jobs/s on this 2-core machine: the bound follows the count. */
const DEADLINE_MS = 60_000 + JOBS * 1.5;

async function live(store: Store): Promise<number> {
  const counts = await store.queueCounts();
  return counts.reduce(
    (sum, c) => sum + c.queued + c.scheduled + c.started + c.finished + c.failed + c.canceled,
    0,
  );
}

/** The file and its write-ahead log, in bytes. */
async function fileBytes(db: string): Promise<number> {
  let bytes = 0;
  for (const path of [db, `${db}-wal`]) {
    bytes += (await Deno.stat(path).catch(() => null))?.size ?? 0;
  }
  return bytes;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

Deno.test(`retention soak: ${JOBS} jobs pruned by TTL leave a file sized for the live set`, async () => {
  const { db, cleanup } = await tempDb();
  const store = await openKvStore(db);
  const producer = new Producer({ store, registry });
  const worker = new Worker({
    store,
    registry,
    queues: ["default"],
    concurrency: 500,
    resultTtlMs: 1,
    logger: silentLogger,
  });
  const pruner = new Pruner({ store, clock: systemClock, logger: silentLogger, intervalMs: 20 });
  const started = Date.now();
  const emptyBytes = await fileBytes(db);
  let peakLive = 0;
  let peakBytes = 0;
  try {
    worker.start();
    pruner.start();
    const batch = Array.from({ length: store.maxInsertBatch }, () => ({ task: "noop", input: {} }));
    for (let produced = 0; produced < JOBS;) {
      assert(Date.now() - started < DEADLINE_MS, `only ${produced} jobs enqueued in time`);
      const alive = await live(store);
      peakLive = Math.max(peakLive, alive);
      if (alive > MAX_LIVE) {
        peakBytes = Math.max(peakBytes, await fileBytes(db));
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const size = Math.min(batch.length, JOBS - produced);
      await producer.enqueueMany(batch.slice(0, size));
      produced += size;
    }
    while ((await live(store)) > 0) {
      assert(Date.now() - started < DEADLINE_MS, `${await live(store)} jobs still alive`);
      peakBytes = Math.max(peakBytes, await fileBytes(db));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await worker.stop();
    await pruner.stop();
    store.close();
  }
  try {
    const endBytes = await fileBytes(db);
    const report = await checkConsistency(db);
    const perLive = Math.round(endBytes / peakLive);
    console.log(
      [
        `retention soak: ${JOBS} jobs run and pruned in ${Date.now() - started} ms`,
        `  KV file (with WAL): empty ${mb(emptyBytes)}, peak ${mb(peakBytes)}, end ${mb(endBytes)}`,
        `  most jobs alive at once ${peakLive}: ${perLive} bytes of file per live job at peak; ` +
        `${Math.round(endBytes / JOBS)} bytes per job ever enqueued`,
        `  left: ${report.jobs} jobs, ${report.indexEntries} index entries, ` +
        `${report.problems.length} problems`,
      ].join("\n"),
    );
    assertEquals([report.jobs, report.indexEntries, report.problems], [0, 0, []]);
    assert(endBytes <= peakBytes * 1.1, "the file grew after the live set stopped growing");
    assert(perLive < 5_000, `${perLive} bytes per live job: freed pages are not reused`);
  } finally {
    await cleanup();
  }
});
