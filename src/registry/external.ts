/**
 * External tasks and their queues. A task defined without a handler is external: a worker
 * in another language runs it over the worker protocol. Claims are by queue, so the rule
 * that keeps TypeScript workers off external jobs is about queues: a queue holds external
 * tasks only or none at all. The registry refuses a mix, the producer refuses a job sent
 * across (`queueKindIssue`), and `tq worker` leaves external queues out.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "./define_task.ts";
 * import { externalQueues } from "./external.ts";
 * const tasks = [defineTask({ name: "resize", queue: "python", input: z.unknown() })];
 * console.assert(externalQueues(tasks).has("python"));
 * ```
 * @module
 */
import type { FieldIssue } from "../errors.ts";
import { JOB_DEFAULTS } from "../transitions/mod.ts";
import type { Task } from "./define_task.ts";

/** The queue a task's jobs go to unless the enqueue says otherwise. */
function queueOf(task: Task): string {
  return task.queue ?? JOB_DEFAULTS.queue;
}

/**
 * The queues external tasks use.
 *
 * @example
 * ```ts
 * import { externalQueues } from "./external.ts";
 * console.assert(externalQueues([]).size === 0);
 * ```
 */
export function externalQueues(tasks: Iterable<Task>): Set<string> {
  return new Set([...tasks].filter((task) => task.external).map(queueOf));
}

/**
 * Throws `TypeError` when a queue holds both external tasks and tasks with a handler:
 * TypeScript workers would claim the external jobs of such a queue.
 *
 * @example
 * ```ts
 * import { assertQueuesUnmixed } from "./external.ts";
 * assertQueuesUnmixed([]);
 * ```
 */
export function assertQueuesUnmixed(tasks: Iterable<Task>): void {
  const list = [...tasks];
  const external = externalQueues(list);
  for (const task of list) {
    if (task.external || !external.has(queueOf(task))) continue;
    const other = list.find((t) => t.external && queueOf(t) === queueOf(task))!;
    throw new TypeError(
      `queue "${queueOf(task)}" holds external task "${other.name}" and task "${task.name}" ` +
        `with a handler: give external tasks queues of their own`,
    );
  }
}

/**
 * What is wrong with sending a job of `task` to `queue`, if anything: an external task's
 * job must go to an external queue, and a handler task's job must not.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineTask } from "./define_task.ts";
 * import { queueKindIssues } from "./external.ts";
 * const t = defineTask({ name: "t", input: z.unknown(), handler: () => null });
 * console.assert(queueKindIssues(t, "default", new Set(["python"])).length === 0);
 * console.assert(queueKindIssues(t, "python", new Set(["python"]))[0].path === "queue");
 * ```
 */
export function queueKindIssues(
  task: Task,
  queue: string,
  external: ReadonlySet<string>,
): FieldIssue[] {
  if (task.external && !external.has(queue)) {
    return [{
      path: "queue",
      message: `external task "${task.name}" runs only from queues of external tasks ` +
        `(${[...external].join(", ")})`,
    }];
  }
  if (!task.external && external.has(queue)) {
    return [{
      path: "queue",
      message: `queue "${queue}" holds external tasks; task "${task.name}" has a handler`,
    }];
  }
  return [];
}
