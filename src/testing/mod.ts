/**
 * `@tq/tq/testing`: test your tasks in your own `deno test`. `runTask` runs one handler
 * with a real context; `createTestQueue` is a whole tq in memory whose `drain()` runs every
 * job to the end on a {@linkcode FakeClock}, retries and flows included.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask, Registry } from "../mod.ts";
 * import { createTestQueue, runTask } from "./mod.ts";
 * const double = defineTask({ name: "double", input: z.number(), handler: (n) => n * 2 });
 * console.assert(await runTask(double, 2) === 4);
 * await using queue = await createTestQueue({ registry: new Registry([double]) });
 * const job = await double.enqueue(21);
 * await queue.drain();
 * console.assert((await queue.getJob(job.id))?.state === "finished");
 * ```
 * @module
 */
export { runTask, type RunTaskOptions } from "./run_task.ts";
export { createTestQueue, type TestQueue, type TestQueueOptions } from "./test_queue.ts";
export { type Clock, FakeClock } from "../clock.ts";
