/**
 * KV round-trips per job: bulk-enqueue jobs and run them with an in-process worker while
 * every KV commit and read of the process is counted (`countKvCalls`). What batching buys.
 *
 * @example
 * ```ts ignore
 * const { commits, reads } = await kvCallsPerJob();
 * ```
 * @module
 */
import { silentLogger } from "../src/log.ts";
import { Worker } from "../src/worker/mod.ts";
import { registry } from "../tasks/mod.ts";
import { eventually } from "../tests/integration/tq_process.ts";
import { countKvCalls } from "./measure.ts";
import { fill, finishedCount, kvPeer, open } from "./tq_peer.ts";

/** Commits and reads per job over `jobs` no-op jobs. */
export async function kvCallsPerJob(jobs = 3_000): Promise<{ commits: number; reads: number }> {
  const store = await kvPeer.fresh();
  const tq = await open(store);
  const worker = new Worker({ store: tq.store, registry, concurrency: 100, logger: silentLogger });
  try {
    const calls = await countKvCalls(async () => {
      await fill(tq, jobs, 0, 1);
      worker.start();
      await eventually(async () => await finishedCount(tq) === jobs, 60_000);
      await worker.stop();
    });
    return { commits: calls.commits / jobs, reads: calls.reads / jobs };
  } finally {
    await worker.stop();
    await tq.close();
    await store.cleanup();
  }
}
