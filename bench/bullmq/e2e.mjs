/**
 * BullMQ end to end: fills the queue, starts worker processes, and measures jobs/s from
 * the first completion seen to the last (polled every 20 ms, as the tq side does), then
 * each worker's resident memory.
 *
 * @example
 * ```sh
 * node e2e.mjs '{"url":"redis://127.0.0.1:6379","jobs":100000,"sleepMs":0,"workers":2,"concurrency":100}'
 * ```
 * @module
 */
import { Queue } from "./deps.mjs";
import { args, connection, fill, QUEUE, report, rssMb, sleep } from "./common.mjs";
import { spawnWorker } from "./spawn_worker.mjs";

const { url, jobs, sleepMs = 0, workers = 2, concurrency = 100 } = args();
const queue = new Queue(QUEUE, { connection: connection(url) });
await fill(queue, jobs, sleepMs);
const running = await Promise.all(
  Array.from({ length: workers }, () => spawnWorker({ url, concurrency })),
);
let first;
for (;;) {
  const { completed } = await queue.getJobCounts("completed");
  const now = performance.now();
  if (completed > 0 && !first) first = { at: now, completed };
  if (completed >= jobs) {
    const rate = (jobs - first.completed) / (now - first.at) * 1000;
    report({ rate, rssMb: running.map((w) => rssMb(w.pid)) });
    break;
  }
  await sleep(20);
}
await Promise.all(running.map((w) => w.stop()));
await queue.close();
