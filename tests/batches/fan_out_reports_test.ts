import { assertEquals } from "../assert.ts";
import { taskContext } from "../../src/worker/task_context.ts";
import { FakeClock } from "../../src/clock.ts";
import { Producer } from "../../src/producer.ts";
import type { TaskContext } from "../../src/registry/define_task.ts";
import { useProducer } from "../../src/registry/default_producer.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import type { Store } from "../../src/store/store.ts";
import { fanOutReports, registry } from "../../tasks/mod.ts";
import { enqueueBatch } from "../../src/batches/enqueue_batch.ts";
import { batchGet, batchListOpen } from "../../src/batches/batch_records.ts";

/** A store and producer bound for task code, as a worker process has them. */
async function withProducer(fn: (store: Store) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "tq-fanout-" });
  const store = await openKvStore(`${dir}/tq.db`);
  useProducer(new Producer({ store, registry, clock: new FakeClock() }));
  try {
    await fn(store);
  } finally {
    useProducer(undefined);
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function context(jobId: string, attempt = 1): TaskContext {
  return taskContext({
    job: { id: jobId, attempts: attempt },
    signal: new AbortController().signal,
    parents: {},
    log: () => {},
  });
}

const reportJobs = async (store: Store) =>
  (await store.jobList({ task: "generate_report", limit: 100 })).jobs;

Deno.test("the fan-out enqueues one report per user as one batch with a summary on completion", async () => {
  await withProducer(async (store) => {
    const result = await fanOutReports.handler(
      { period: "daily" },
      context("01JFANOUT0000000000000000A"),
    );
    const reports = await reportJobs(store);
    assertEquals(reports.length, 3);
    assertEquals(new Set(reports.map((job) => job.batchId)), new Set([result.batch_id]));
    assertEquals(reports.map((job) => job.id).sort(), [...result.job_ids].sort());
    const status = await batchGet(store, { id: result.batch_id! });
    assertEquals(status?.batch.total, 3);
    assertEquals(status?.batch.onComplete?.task, "send_notification");
  });
});

Deno.test("a retried fan-out attempt finds its batch and enqueues nothing again", async () => {
  await withProducer(async (store) => {
    const first = await fanOutReports.handler(
      { period: "daily" },
      context("01JFANOUT0000000000000000B"),
    );
    const retry = await fanOutReports.handler(
      { period: "daily" },
      context("01JFANOUT0000000000000000B", 2),
    );
    assertEquals(retry, first);
    assertEquals((await reportJobs(store)).length, 3);
    assertEquals((await batchListOpen(store, { limit: 10 })).length, 1);
    // The next tick's fan-out is another job: another batch.
    await fanOutReports.handler({ period: "daily" }, context("01JFANOUT0000000000000000C"));
    assertEquals((await reportJobs(store)).length, 6);
  });
});

Deno.test("enqueueBatch needs a producer that can enqueue batches", async () => {
  const plain = { enqueue: () => Promise.reject(new Error("unused")) };
  const error = await enqueueBatch({ requests: [] }, plain).catch((e) => e);
  assertEquals(error instanceof TypeError, true);
});
