/**
 * BullMQ's claim cost against queue length: fills a queue with `size` jobs, notes Redis's
 * memory per queued job, then times `worker.getNextJob` (one job per call, as BullMQ's
 * workers fetch) `samples` times after 20 warm-up calls and reports the median.
 *
 * @example
 * ```sh
 * node claim.mjs '{"url":"redis://127.0.0.1:6379","size":1000,"samples":200}'
 * ```
 * @module
 */
import { Queue, Redis, Worker } from "./deps.mjs";
import { args, connection, fill, percentile, QUEUE, report } from "./common.mjs";

const { url, size, samples } = args();
const queue = new Queue(QUEUE, { connection: connection(url) });
const client = new Redis(url);
const usedMemory = async () => Number((await client.info("memory")).match(/used_memory:(\d+)/)[1]);
const before = await usedMemory();
await fill(queue, size);
const bytesPerJob = (await usedMemory() - before) / size;
const worker = new Worker(QUEUE, null, { connection: connection(url), autorun: false });
await worker.waitUntilReady();
const times = [];
// The first claims pay for loading scripts and warming up: not what is measured.
for (let i = -20; i < samples; i++) {
  const started = performance.now();
  const job = await worker.getNextJob("bench-token", { block: false });
  if (i >= 0) times.push(performance.now() - started);
  if (!job) throw new Error("the queue ran dry");
}
report({ claimMs: percentile(times, 50), bytesPerJob });
await worker.close(true);
await queue.close();
client.disconnect();
