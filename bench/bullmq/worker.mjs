/**
 * A BullMQ worker process, as the benchmark's peer of `tq worker`: runs the no-op job (or
 * waits `sleep_ms` first) with `concurrency` at once, prints `{"ready":true}` once
 * connected, and closes gracefully on SIGTERM.
 *
 * @example
 * ```sh
 * node worker.mjs '{"url":"redis://127.0.0.1:6379","concurrency":100}'
 * ```
 * @module
 */
import { Worker } from "./deps.mjs";
import { args, connection, QUEUE, report, sleep } from "./common.mjs";

const { url, concurrency = 10 } = args();
const worker = new Worker(QUEUE, async (job) => {
  if (job.data.sleep_ms) await sleep(job.data.sleep_ms);
  return null;
}, { connection: connection(url), concurrency });
await worker.waitUntilReady();
report({ ready: true });
process.on("SIGTERM", async () => {
  await worker.close();
  process.exit(0);
});
