/**
 * The task registry: every task tq knows, by name. `tasks/mod.ts` builds the one registry
 * that serve, worker and cron share, from static imports (so `deno compile` bundles them).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "./define_task.ts";
 * import { Registry } from "./registry.ts";
 * const registry = new Registry([
 *   defineTask({ name: "noop", input: z.unknown(), handler: () => null }),
 * ]);
 * console.assert(registry.get("noop").name === "noop");
 * ```
 * @module
 */
import { UnknownTaskError } from "../errors.ts";
import type { Task } from "./define_task.ts";
import { assertRateLimit, type RateLimit } from "../guards/rate_limit.ts";
import { assertQueuesUnmixed, externalQueues } from "./external.ts";

/** Settings of a registry beyond its tasks. */
export interface RegistryOptions {
  /**
   * Rate limits per queue: at most `max` jobs of the queue start in any `per` ms, across
   * every worker (`src/guards/rate_limit.ts`). Defined here, next to the tasks every tq
   * process shares, so all workers enforce the same limits.
   */
  queueRateLimits?: Record<string, RateLimit>;
}

/** Tasks by name. */
export class Registry {
  readonly #tasks = new Map<string, Task>();
  /** Rate limits per queue name (see {@linkcode RegistryOptions}). */
  readonly queueRateLimits: Readonly<Record<string, RateLimit>>;
  /** Queues of external tasks (`external.ts`): only protocol workers claim from them. */
  readonly externalQueues: ReadonlySet<string>;

  constructor(tasks: Iterable<Task>, options: RegistryOptions = {}) {
    for (const [queue, limit] of Object.entries(options.queueRateLimits ?? {})) {
      assertRateLimit(limit, `queue "${queue}"`);
    }
    this.queueRateLimits = { ...options.queueRateLimits };
    for (const task of tasks) {
      if (this.#tasks.has(task.name)) throw new TypeError(`task "${task.name}" is defined twice`);
      this.#tasks.set(task.name, task);
    }
    assertQueuesUnmixed(this.#tasks.values());
    this.externalQueues = externalQueues(this.#tasks.values());
  }

  /** The task of that name; throws `UnknownTaskError` if there is none. */
  get(name: string): Task {
    const task = this.#tasks.get(name);
    if (!task) throw new UnknownTaskError(name);
    return task;
  }

  /** Whether a task of that name is registered. */
  has(name: string): boolean {
    return this.#tasks.has(name);
  }

  /** Every task, in registration order. */
  list(): Task[] {
    return [...this.#tasks.values()];
  }
}
