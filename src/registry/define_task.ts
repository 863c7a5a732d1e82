/**
 * `defineTask`: a named, zod-typed unit of background work, shared by `tq serve` (which
 * validates input with its schema), `tq worker` (which runs its handler) and `tq cron`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "./define_task.ts";
 * export const greet = defineTask({
 *   name: "greet",
 *   input: z.object({ name: z.string() }),
 *   handler: (input) => `hello ${input.name}`,
 * });
 * ```
 * @module
 */
import type { z } from "zod";
import type { Backoff, Job, JobProgress } from "../job.ts";
import { currentProducer } from "./default_producer.ts";
import type { EnqueueOptions } from "./enqueue_options.ts";
import { assertRateLimit, type RateLimit } from "../guards/rate_limit.ts";
import { assertTaskConcurrency, type TaskConcurrency } from "../guards/concurrency.ts";

/** What a handler passes to `ctx.waitForEvent`. */
export interface WaitForEventOptions {
  /** The event's name, as sent to `POST /events` (`order.approved`). */
  event: string;
  /** Which thing it is about (an order id); an event matches only with the same key. */
  key?: string;
  /** After this many ms without the event, the wait resolves with null. */
  timeoutMs: number;
}

/** The durable-step methods of a handler's context. */
export interface StepMethods {
  /**
   * Runs `fn` once for the job: its JSON result is stored before the handler goes on and
   * returned on every later entry of the handler without calling `fn` again.
   */
  step<T>(name: string, fn: () => T | Promise<T>): Promise<T>;
  /** Leaves the worker for `ms` (the job is `scheduled`), then goes on from here. */
  sleep(name: string, ms: number): Promise<void>;
  /** Leaves the worker until `until`, then goes on from here. */
  sleepUntil(name: string, until: Date | number): Promise<void>;
  /**
   * Leaves the worker (the job is `waiting`) until the event is sent, or `timeoutMs` passes;
   * resolves with the event's data, or null at the timeout.
   */
  waitForEvent<T = unknown>(name: string, options: WaitForEventOptions): Promise<T | null>;
}

/** What a running handler knows and can do besides its input, durable steps included. */
export interface TaskContext extends StepMethods {
  jobId: string;
  /** This attempt's number, from 1. */
  attempt: number;
  /**
   * Aborts when the attempt times out, the job is canceled, the worker loses its lease or
   * shuts down; its `reason` is then a `JobStopped` whose `cause` says which.
   */
  signal: AbortSignal;
  /** The results of the jobs this one depends on, by job id, read as the attempt started. */
  parents: Readonly<Record<string, unknown>>;
  /** Writes a line to the worker's log, tagged with the job. */
  log(message: string, fields?: Record<string, unknown>): void;
  /**
   * Reports how far the job got: a number from 0 to 100 or a small JSON object (at most
   * 1 KiB), shown as `progress` by `GET /jobs/{id}`. Cheap to call often: the worker keeps
   * the latest value and writes a few times a second at most. Throws on a bad value.
   */
  progress(value: JobProgress): void;
}

/** Retry policy of a task: attempts in all, and the backoff between them. */
export interface RetryOptions {
  maxAttempts?: number;
  backoff?: Partial<Backoff>;
}

/**
 * Where a task's handler runs: on the worker's own event loop (`inline`), in a pool of
 * Web Workers (`thread`), or in child processes (`process`). See README "Heavy work".
 */
export type Isolation = "inline" | "thread" | "process";

/** The isolation modes, for checking a flag or an option. */
export const ISOLATIONS: readonly Isolation[] = ["inline", "thread", "process"];

/** Everything `defineTask` takes. */
export interface TaskDefinition<S extends z.ZodType = z.ZodType, R = unknown> {
  /** Unique name, used in URLs (`POST /tasks/{name}`) and job records. */
  name: string;
  /** Schema of the input; jobs whose input fails it are refused at enqueue. */
  input: S;
  /** Default queue (`default`). */
  queue?: string;
  /** Default priority; lower runs first (0). */
  priority?: number;
  retry?: RetryOptions;
  /** How long one attempt may run, in ms (5 minutes). */
  timeout?: number;
  /**
   * At most `max` jobs of this task start in any `per` ms, across every worker; the others
   * wait `queued` without using an attempt (see `src/guards/rate_limit.ts`).
   */
  rateLimit?: RateLimit;
  /**
   * Per-key concurrency: at most `limit` (1-50) jobs with the same `key(input)` are queued or
   * running at once, across every worker; the rest wait `deferred` and the key's jobs are
   * released in turn with other keys', so one key's backlog never delays another key (see
   * `src/guards/concurrency.ts`). A request's `concurrency_key` overrides the key.
   */
  concurrency?: TaskConcurrency<z.output<S>>;
  /**
   * Where the handler runs (default: the worker's `--isolation`, itself `inline` by
   * default). Inputs and results cross to threads and processes as JSON.
   */
  isolation?: Isolation;
  /**
   * Deno permissions of the handler's thread or process, e.g.
   * `{ net: ["api.example.com"], read: false }` (default: the worker's own).
   */
  permissions?: Deno.PermissionOptionsObject;
  /** Heap limit of a `process` handler's child, in MB (V8 `--max-old-space-size`). */
  memoryMb?: number;
  /** Short description for listings and the API docs. */
  description?: string;
  /** Does the work. Its return value (JSON) becomes the job's result. */
  handler(input: z.output<S>, ctx: TaskContext): R | Promise<R>;
}

/**
 * An external task: validated and enqueued like any other, but run by a worker in another
 * language over the worker protocol (`POST /worker/claim`, see `src/protocol/`), never by
 * `tq worker`. Its queue is required and may hold external tasks only, so TypeScript
 * workers, which claim by queue, never see its jobs.
 */
export type ExternalTaskDefinition<S extends z.ZodType = z.ZodType> =
  & Omit<TaskDefinition<S, unknown>, "handler" | "queue">
  & {
    /** The queue its jobs go to: one that holds external tasks only. */
    queue: string;
    handler?: never;
  };

/** A registered task: its definition plus a typed way to enqueue it. */
export interface Task<S extends z.ZodType = z.ZodType, R = unknown> extends TaskDefinition<S, R> {
  /**
   * True for a task defined without a handler ({@linkcode ExternalTaskDefinition}): its
   * `handler` only throws, and only protocol workers claim its jobs.
   */
  external?: boolean;
  /**
   * Enqueues one job through the producer bound by `connect()` (or set with
   * `useProducer`), after checking `input` against the schema.
   */
  enqueue(input: z.input<S>, options?: EnqueueOptions): Promise<Job>;
}

const TASK_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Defines a task. Names are 1–64 characters of letters, digits, `_`, `.` and `-`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "./define_task.ts";
 * const add = defineTask({
 *   name: "add",
 *   input: z.object({ a: z.number(), b: z.number() }),
 *   handler: ({ a, b }) => a + b,
 * });
 * console.assert(add.name === "add");
 * ```
 */
export function defineTask<S extends z.ZodType, R>(definition: TaskDefinition<S, R>): Task<S, R>;
/**
 * Defines an external task: no handler, a queue of its own; a worker in another language
 * runs it over the worker protocol.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "./define_task.ts";
 * const resize = defineTask({
 *   name: "resize_image",
 *   queue: "python",
 *   input: z.object({ url: z.string() }),
 * });
 * console.assert(resize.external === true);
 * ```
 */
export function defineTask<S extends z.ZodType>(
  definition: ExternalTaskDefinition<S>,
): Task<S, never>;
export function defineTask<S extends z.ZodType, R>(
  definition: TaskDefinition<S, R> | ExternalTaskDefinition<S>,
): Task<S, R> {
  if (!TASK_NAME.test(definition.name)) {
    throw new TypeError(
      `task name "${definition.name}" must be 1-64 characters of letters, digits, _ . -`,
    );
  }
  if (definition.isolation !== undefined && !ISOLATIONS.includes(definition.isolation)) {
    throw new TypeError(`task "${definition.name}": isolation must be one of ${ISOLATIONS}`);
  }
  const { memoryMb } = definition;
  if (memoryMb !== undefined && (!Number.isInteger(memoryMb) || memoryMb < 16)) {
    throw new RangeError(`task "${definition.name}": memoryMb must be an integer of 16 or more`);
  }
  if (definition.rateLimit) assertRateLimit(definition.rateLimit, `task "${definition.name}"`);
  if (definition.concurrency) {
    assertTaskConcurrency(definition.concurrency as TaskConcurrency, `task "${definition.name}"`);
  }
  if (typeof definition.handler !== "function") {
    const name = definition.name;
    if (!definition.queue) {
      throw new TypeError(`external task "${name}" needs a queue of its own (queue: "...")`);
    }
    return {
      ...definition,
      external: true,
      handler: () => {
        throw new Error(`task "${name}" is external: a protocol worker runs it, not tq worker`);
      },
      enqueue: (input, options) => currentProducer().enqueue({ task: name, input, ...options }),
    };
  }
  return {
    ...definition,
    enqueue: (input, options) =>
      currentProducer().enqueue({ task: definition.name, input, ...options }),
  };
}
