/**
 * An idle batch watcher sleeps on the KV store's timers doorbell while no batch is open: a
 * batch that another process creates (`batchCreate`, which rings it through
 * `Store.timerNotify`) wakes it at once, not after its 30 s safety sleep.
 */
import { assertEquals } from "../assert.ts";
import { BatchWatcher } from "../../src/batches/batch_watcher.ts";
import { batchCreate, batchGet } from "../../src/batches/batch_records.ts";
import { newJobId } from "../../src/ids.ts";
import { silentLogger } from "../../src/log.ts";
import { sharedKvFile } from "../fixtures/shared_kv_file.ts";
import { waitFor } from "../worker/helpers.ts";

Deno.test("a batch created in another process wakes an idle batch watcher, which completes it", async () => {
  await using kv = await sharedKvFile();
  const { clock, store, elsewhere } = kv;
  const watcher = new BatchWatcher({ store, clock, logger: silentLogger });
  try {
    watcher.start();
    await clock.untilSleeping(1); // found no open batch: asleep until a ring
    const id = newJobId(clock.now());
    const onComplete = { task: "t", input: { done: true } };
    await batchCreate(elsewhere, {
      batch: { id, total: 0, queues: [], createdAt: clock.now(), onComplete },
    });
    let jobId: string | undefined;
    await waitFor(
      async () => {
        jobId = (await batchGet(store, { id }))?.batch.completionJobId;
        return jobId !== undefined;
      },
      "the created batch's completion",
      20_000,
    );
    assertEquals((await store.jobGet(jobId!))?.input, { done: true });
  } finally {
    await watcher.stop();
  }
});
