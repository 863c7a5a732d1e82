/**
 * The timed services of one worker process (promoter, batch watcher, callback sender) share
 * the KV store's timers bell. A ring from another process is taken from the bell file by
 * whichever of them looks first; one busy in its round meanwhile must still hear it.
 */
import { assertEquals } from "../assert.ts";
import { BatchWatcher } from "../../src/batches/batch_watcher.ts";
import { silentLogger } from "../../src/log.ts";
import { Promoter } from "../../src/maintenance/promoter.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { heardWithin, sharedKvFile } from "../fixtures/shared_kv_file.ts";
import { override } from "../http/setup.ts";

Deno.test("a promoter busy in its round when another service of its process takes a ring from the file still promotes on time", async () => {
  await using kv = await sharedKvFile();
  const { clock, store, elsewhere } = kv;
  // The promoter's round holds after it read the next run time, until the ring was taken.
  const read = Promise.withResolvers<void>();
  const ringTaken = Promise.withResolvers<void>();
  let held = false;
  const promoterStore = override(store, {
    jobNextRunAt: async () => {
      const next = await store.jobNextRunAt();
      if (!held) {
        held = true;
        read.resolve();
        await ringTaken.promise;
      }
      return next;
    },
  });
  // The batch watcher's looks: it waits on the bell from before the first.
  const looks = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
  let looked = 0;
  const watcherStore = override(store, {
    recordList: (params) => {
      looks[looked++]?.resolve();
      return store.recordList(params);
    },
  });
  const promoter = new Promoter({ store: promoterStore, clock, logger: silentLogger });
  const watcher = new BatchWatcher({ store: watcherStore, clock, logger: silentLogger });
  try {
    promoter.start();
    watcher.start();
    await Promise.all([read.promise, looks[0].promise]);
    const runAt = clock.now() + 1_000;
    const job = createJob({ id: "retry", task: "t", input: null, runAt }, clock.now());
    await elsewhere.jobInsertMany({ jobs: [job] });
    await heardWithin(looks[1].promise, "the scheduled job"); // by the batch watcher
    ringTaken.resolve();
    // Both asleep again; the promoter until the job's run time.
    await clock.untilSleeping(4);
    clock.advance(1_000);
    await clock.untilSleeping(4);
    assertEquals((await store.jobGet("retry"))?.state, "queued");
  } finally {
    await Promise.all([promoter.stop(), watcher.stop()]);
  }
});
