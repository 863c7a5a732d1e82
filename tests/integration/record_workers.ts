/**
 * Two real `tq worker` processes on a temp KV file, running the fixture tasks with the
 * `record` task writing when each job started and ended: for tests of how jobs overlap
 * across processes (ordered groups, per-key concurrency).
 *
 * @example
 * ```ts ignore
 * await withRecordWorkers(async ({ producer, runs }) => { ... });
 * ```
 * @module
 */
import { Producer } from "../../src/producer.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import type { Store } from "../../src/store/store.ts";
import { parseRecords, type RecordLine, registry } from "../fixtures/tasks.ts";
import { tempDb, TqProcess } from "./tq_process.ts";

/** What a test gets: the store, a producer on it, and the runs recorded so far. */
export interface RecordWorkers {
  store: Store;
  producer: Producer;
  runs(): Promise<RecordLine[]>;
}

/** Starts two workers, runs `fn`, then stops them and removes the file. */
export async function withRecordWorkers(fn: (ctx: RecordWorkers) => Promise<void>): Promise<void> {
  const { db, dir, cleanup } = await tempDb();
  const recordFile = `${dir}/runs.log`;
  const store = await openKvStore(db);
  const args = ["worker", "chaos", "--db", db, "--tasks", "tests/fixtures/tasks.ts"];
  const env = { TQ_RECORD_FILE: recordFile };
  const workers = [TqProcess.start(args, env), TqProcess.start(args, env)];
  try {
    await Promise.all(workers.map((w) => w.waitForLine((l) => l.event === "worker:started")));
    await fn({
      store,
      producer: new Producer({ store, registry }),
      runs: async () => parseRecords(await Deno.readTextFile(recordFile)),
    });
  } finally {
    store.close();
    await Promise.all(workers.map((w) => w.stop()));
    await cleanup();
  }
}
