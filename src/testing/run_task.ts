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
  /** `ctx.signal`: abort it to test how the handler stops (never aborts by default). */
  signal?: AbortSignal;
  /** Gets every `ctx.log()` line. */
  onLog?(message: string, fields?: Record<string, unknown>): void;
  /** Gets every `ctx.progress()` report, once checked as a worker checks it. */
  onProgress?(value: JobProgress): void;
}

/**
 * Runs `task`'s handler once on `input` and resolves with what it returns. Throws
 * `InvalidInputError` (naming each bad field) when the schema refuses the input, a
 * `TypeError` when the result is not JSON (a worker would fail the job), and whatever the
 * handler throws.
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
  const ctx = taskContext({
    job: { id: options.jobId ?? newJobId(), attempts: options.attempt ?? 1 },
    signal: options.signal ?? new AbortController().signal,
    parents: options.parents ?? {},
    log: (message, fields) => options.onLog?.(message, fields),
    progress: (value) => {
      const checked = checkProgress(value); // before the call: `?.` would skip the check
      options.onProgress?.(checked);
    },
  });
  const result = await task.handler(parsed, ctx);
  try {
    JSON.stringify(result);
  } catch (error) {
    throw new TypeError(`result is not JSON: ${(error as Error).message}`);
  }
  return result;
}
