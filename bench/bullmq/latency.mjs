/**
 * BullMQ's enqueue→start latency at low load: one idle worker process (concurrency 10),
 * jobs added one at a time `gapMs` apart; latency is `processedOn - timestamp`.
 *
 * @example
 * ```sh
 * node latency.mjs '{"url":"redis://127.0.0.1:6379","samples":200,"gapMs":20}'
 * ```
 * @module
 */
import { Queue } from "./deps.mjs";
import { args, connection, percentile, QUEUE, report, sleep } from "./common.mjs";
import { spawnWorker } from "./spawn_worker.mjs";

const { url, samples, gapMs } = args();
const queue = new Queue(QUEUE, { connection: connection(url) });
const worker = await spawnWorker({ url, concurrency: 10 });
await sleep(200); // let the worker reach its blocking wait
const ids = [];
for (let i = 0; i < samples; i++) {
  ids.push((await queue.add("noop", {})).id);
  await sleep(gapMs);
}
while ((await queue.getJobCounts("completed")).completed < samples) await sleep(20);
const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
const waits = jobs.map((job) => job.processedOn - job.timestamp);
report({ p50: percentile(waits, 50), p99: percentile(waits, 99) });
await worker.stop();
await queue.close();
