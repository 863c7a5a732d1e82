/**
 * What a handler is called with: its input parsed by the task's schema, and its
 * {@linkcode TaskContext}. The worker's executor and `runTask` (`src/testing/`) both build
 * them here, so a handler under test sees exactly what it sees in a worker.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "../registry/define_task.ts";
 * import { parseTaskInput, taskContext } from "./task_context.ts";
 * const double = defineTask({ name: "double", input: z.number(), handler: (n) => n * 2 });
 * const ctx = taskContext({
 *   job: { id: "01J", attempts: 1 },
 *   signal: new AbortController().signal,
 *   parents: {},
 *   log: () => {},
 * });
 * console.assert(await double.handler(parseTaskInput(double, 21), ctx) === 42);
 * ```
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import type { Job, JobProgress } from "../job.ts";
import { fieldIssues } from "../producer.ts";
import type { z } from "zod";
import type { StepMethods, TaskContext } from "../registry/define_task.ts";
import { checkProgress } from "./progress.ts";
import { DurableSteps } from "../steps/durable_steps.ts";

/**
 * The task's schema applied to `input`: the parsed value, or an `InvalidInputError` naming
 * each bad field under `input.` (the schema may have changed since the job was enqueued).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "../registry/define_task.ts";
 * import { parseTaskInput } from "./task_context.ts";
 * const task = defineTask({ name: "t", input: z.object({ n: z.number() }), handler: () => 1 });
 * try {
 *   parseTaskInput(task, { n: "1" });
 * } catch (error) {
 *   console.assert((error as Error).name === "InvalidInputError");
 * }
 * ```
 */
export function parseTaskInput<S extends z.ZodType>(
  task: { input: S },
  input: unknown,
): z.output<S> {
  const parsed = task.input.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(fieldIssues(parsed.error, "input"));
  return parsed.data;
}

/** What a {@linkcode taskContext} is made of. */
export interface TaskContextParts {
  /** The job being run: its id and this attempt's number. */
  job: Pick<Job, "id" | "attempts">;
  signal: AbortSignal;
  /** The results of the jobs it depends on, by id. */
  parents: Readonly<Record<string, unknown>>;
  /** Where `ctx.log()` lines go. */
  log(message: string, fields?: Record<string, unknown>): void;
  /** Takes `ctx.progress()` reports and must check them; without it they are checked and dropped. */
  progress?(value: JobProgress): void;
  /** The durable steps of the attempt; without them, see {@linkcode stepsWithoutStore}. */
  steps?: StepMethods;
}

/**
 * Steps for a handler run outside a worker (`runTask`): each step runs once per call and
 * nothing is stored; a sleep returns at once and a wait resolves null, as at its timeout.
 * Names are still checked (each once).
 *
 * @example
 * ```ts
 * import { stepsWithoutStore } from "./task_context.ts";
 * const steps = stepsWithoutStore();
 * await steps.sleep("nap", 60_000); // returns at once
 * console.assert(await steps.waitForEvent("ok", { event: "e", timeoutMs: 1 }) === null);
 * ```
 */
export function stepsWithoutStore(): StepMethods {
  const steps = new DurableSteps({
    steps: [],
    attempt: 1,
    now: () => Date.now(),
    record: () => Promise.resolve(),
  });
  // A sleep until the epoch is over already: it is recorded (here: nowhere) and passed.
  return {
    step: (name, fn) => steps.step(name, fn),
    sleep: (name) => steps.sleepUntil(name, 0),
    sleepUntil: (name) => steps.sleepUntil(name, 0),
    waitForEvent: (name) => steps.sleepUntil(name, 0).then(() => null),
  };
}

/**
 * The context a handler gets. `ctx.progress()` throws on a bad value wherever it runs.
 *
 * @example
 * ```ts
 * import { taskContext } from "./task_context.ts";
 * const seen: unknown[] = [];
 * const ctx = taskContext({
 *   job: { id: "01J", attempts: 2 },
 *   signal: new AbortController().signal,
 *   parents: {},
 *   log: () => {},
 *   progress: (value) => seen.push(value),
 * });
 * ctx.progress(50);
 * console.assert(ctx.attempt === 2 && seen[0] === 50);
 * ```
 */
export function taskContext(parts: TaskContextParts): TaskContext {
  return {
    jobId: parts.job.id,
    attempt: parts.job.attempts,
    signal: parts.signal,
    parents: parts.parents,
    log: parts.log,
    progress: (value) => {
      if (parts.progress) parts.progress(value);
      else checkProgress(value);
    },
    ...(parts.steps ?? stepsWithoutStore()),
  };
}
