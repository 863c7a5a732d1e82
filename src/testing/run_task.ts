/**
 * `runTask`: one task's handler run in the test process, as a worker would run one
 * attempt of it, without a store: the input is parsed with the task's schema and the
 * handler gets a real context (the worker builds it the same way, `src/worker/task_context.ts`).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "../registry/define_task.ts";
 * import { runTask } from "./run_task.ts";
 * const add = defineTask({
 *   name: "add",
 *   input: z.object({ a: z.number(), b: z.number() }),
 *   handler: ({ a, b }) => a + b,
 * });
 * console.assert(await runTask(add, { a: 2, b: 3 }) === 5);
 * ```
 * @module
 */
import type { z } from "zod";
import { newJobId } from "../ids.ts";
import type { JobProgress } from "../job.ts";
import type { Task } from "../registry/define_task.ts";
import { JOB_DEFAULTS } from "../transitions/mod.ts";
import { checkProgress } from "../worker/progress.ts";
import { parseTaskInput, taskContext } from "../worker/task_context.ts";

/** How {@linkcode runTask} sets up the attempt; every field is optional. */
export interface RunTaskOptions {
  /** `ctx.attempt` (1), to test what a handler does on a retry. */
  attempt?: number;
  /** `ctx.jobId` (a fresh job id). */
  jobId?: string;
  /** `ctx.parents`: the results of the jobs this one depends on, by job id ({}). */
  parents?: Record<string, unknown>;
  /** Aborts `ctx.signal` too: to test how the handler stops when its job is canceled. */
  signal?: AbortSignal;
  /**
   * Ms after which `ctx.signal` aborts with a `TimeoutError` and `runTask` rejects with it,
   * even if the handler ignores the signal, as a worker does (the task's `timeout`, 5 min).
   */
  timeout?: number;
  /** Gets every `ctx.log()` line. */
  onLog?(message: string, fields?: Record<string, unknown>): void;
  /** Gets every `ctx.progress()` report, once checked as a worker checks it. */
  onProgress?(value: JobProgress): void;
}

/** A promise that rejects with the signal's reason once it aborts. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener("abort", () => reject(signal.reason), { once: true })
  );
}

/**
 * Runs `task`'s handler once on `input` and resolves with what it returns. Throws
 * `InvalidInputError` (naming each bad field) when the schema refuses the input, a
 * `TypeError` when the result is not JSON (a worker would fail the job), a `TimeoutError`
 * (a `DOMException`) at the task's timeout, and whatever the handler throws.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "../registry/define_task.ts";
 * import { runTask } from "./run_task.ts";
 * const greet = defineTask({
 *   name: "greet",
 *   input: z.object({ name: z.string() }),
 *   handler: ({ name }, ctx) => `hello ${name}, attempt ${ctx.attempt}`,
 * });
 * console.assert(await runTask(greet, { name: "Ada" }, { attempt: 2 }) === "hello Ada, attempt 2");
 * ```
 */
export async function runTask<S extends z.ZodType, R>(
  task: Task<S, R>,
  input: z.input<S>,
  options: RunTaskOptions = {},
): Promise<Awaited<R>> {
  const parsed = parseTaskInput(task, input);
  const timeoutMs = options.timeout ?? task.timeout ?? JOB_DEFAULTS.timeoutMs;
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new DOMException(`timed out after ${timeoutMs} ms`, "TimeoutError")),
    timeoutMs,
  );
  const signal = options.signal
    ? AbortSignal.any([options.signal, deadline.signal])
    : deadline.signal;
  const ctx = taskContext({
    job: { id: options.jobId ?? newJobId(), attempts: options.attempt ?? 1 },
    signal,
    parents: options.parents ?? {},
    log: (message, fields) => options.onLog?.(message, fields),
    progress: (value) => {
      const checked = checkProgress(value); // before the call: `?.` would skip the check
      options.onProgress?.(checked);
    },
  });
  let result: Awaited<R>;
  try {
    // Called at once (as a worker does), a synchronous throw still becoming a rejection.
    const running = (async () => await task.handler(parsed, ctx))();
    running.catch(() => {}); // once abandoned at the timeout, a later rejection is nobody's
    result = await Promise.race([running, aborted(deadline.signal)]);
  } finally {
    clearTimeout(timer);
  }
  try {
    JSON.stringify(result);
  } catch (error) {
    throw new TypeError(`result is not JSON: ${(error as Error).message}`);
  }
  return result;
}
