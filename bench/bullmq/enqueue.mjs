/**
 * BullMQ's enqueue rates: `queue.add` one at a time (awaited), `queue.add` with many
 * callers at once, and `addBulk` of 1,000.
 *
 * @example
 * ```sh
 * node enqueue.mjs '{"url":"redis://127.0.0.1:6379","single":2000,"concurrent":10000,"callers":100,"bulk":50000,"bulkCall":1000}'
 * ```
 * @module
 */
import { Queue } from "./deps.mjs";
import { args, connection, QUEUE, report } from "./common.mjs";

const { url, single, concurrent, callers, bulk, bulkCall } = args();
const queue = new Queue(QUEUE, { connection: connection(url) });
await queue.waitUntilReady();
const rate = async (jobs, fn) => {
  const started = performance.now();
  await fn();
  return jobs / (performance.now() - started) * 1000;
};

const sequential = await rate(single, async () => {
  for (let i = 0; i < single; i++) await queue.add("noop", {});
});
let left = concurrent;
const caller = async () => {
  while (left-- > 0) await queue.add("noop", {});
};
const parallel = await rate(concurrent, () => Promise.all(Array.from({ length: callers }, caller)));
const bulkRate = await rate(bulk, async () => {
  for (let done = 0; done < bulk; done += bulkCall) {
    await queue.addBulk(Array.from({ length: bulkCall }, () => ({ name: "noop", data: {} })));
  }
});
report({ sequential, concurrent: parallel, bulk: bulkRate });
await queue.close();
