/**
 * Per-key concurrency: at most `limit` jobs with one key are queued, scheduled or running at
 * once, across every worker and process. The key comes from the request
 * (`concurrency_key`, `EnqueueOptions.concurrencyKey`) or from the task
 * (`defineTask({ concurrency: { key: (input) => ..., limit } })`); the limit from the request
 * (`concurrency_limit`) or the task. Jobs of a key beyond its limit wait `deferred` in the
 * key's lanes: the mechanism of ordered groups, which are keys with limit 1
 * (`./group.ts`). This file holds the rules of keys and limits.
 *
 * @example
 * ```ts
 * import { concurrencyOf } from "./concurrency.ts";
 * const { concurrency } = concurrencyOf(undefined, { concurrencyKey: "tenant:1", concurrencyLimit: 2 }, {});
 * console.assert(concurrency?.limit === 2);
 * ```
 * @module
 */
import type { FieldIssue } from "../errors.ts";
import { textProblem } from "../input_rules.ts";
import type { EnqueueOptions } from "../registry/enqueue_options.ts";

/** The longest concurrency key, in characters. */
export const MAX_CONCURRENCY_KEY_CHARS = 200;
/**
 * The highest limit: one enqueue may link a job behind each lane of its key, and on the KV
 * store every one of those links is a check of one atomic write (at most 100).
 */
export const MAX_CONCURRENCY_LIMIT = 50;

/** A task's concurrency: the key of a job from its (parsed) input, and the key's limit. */
export interface TaskConcurrency<I = unknown> {
  key: (input: I) => string;
  limit: number;
}

/** A job's key and limit, as the job record carries them. */
export interface Concurrency {
  key: string;
  limit: number;
}

const limitProblem = (limit: unknown) =>
  Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= MAX_CONCURRENCY_LIMIT
    ? undefined
    : `must be a whole number from 1 to ${MAX_CONCURRENCY_LIMIT}`;

const keyProblem = (key: unknown) =>
  typeof key !== "string" || key.length === 0 || key.length > MAX_CONCURRENCY_KEY_CHARS
    ? `must be 1-${MAX_CONCURRENCY_KEY_CHARS} characters`
    : textProblem(key);

/**
 * Throws unless `concurrency` is a valid task option (`defineTask` calls it).
 *
 * @example
 * ```ts
 * import { assertTaskConcurrency } from "./concurrency.ts";
 * assertTaskConcurrency({ key: () => "k", limit: 2 }, 'task "t"');
 * ```
 */
export function assertTaskConcurrency(concurrency: TaskConcurrency, where: string): void {
  if (typeof concurrency?.key !== "function") {
    throw new TypeError(`${where}: concurrency.key must be a function of the input`);
  }
  const problem = limitProblem(concurrency.limit);
  if (problem) throw new RangeError(`${where}: concurrency.limit ${problem}`);
}

/**
 * A job's concurrency from its request and task (the request's key and limit win), or the
 * issues that keep it from having one, by the API's field names.
 *
 * @example
 * ```ts
 * import { concurrencyOf } from "./concurrency.ts";
 * const task = { name: "sync", concurrency: { key: (input: unknown) => String((input as { team: number }).team), limit: 3 } };
 * console.assert(concurrencyOf(task, {}, { team: 7 }).concurrency?.key === "7");
 * console.assert(concurrencyOf(undefined, { concurrencyKey: "k" }, {}).issues[0].path === "concurrency_limit");
 * ```
 */
export function concurrencyOf(
  task: { name: string; concurrency?: TaskConcurrency } | undefined,
  request: Pick<
    EnqueueOptions,
    "concurrencyKey" | "concurrencyLimit" | "group" | "dependsOn" | "idempotencyKey" | "debounce"
  >,
  input: unknown,
): { concurrency?: Concurrency; issues: FieldIssue[] } {
  const fromTask = task?.concurrency;
  if (request.concurrencyKey === undefined && request.concurrencyLimit === undefined) {
    if (!fromTask) return { issues: [] };
  }
  const issues: FieldIssue[] = [];
  let key: unknown = request.concurrencyKey;
  if (key === undefined && fromTask) {
    try {
      key = fromTask.key(input);
    } catch (error) {
      const message = `task "${task!.name}": concurrency.key threw ${(error as Error).message}`;
      return { issues: [{ path: "concurrency_key", message }] };
    }
  }
  const limit = request.concurrencyLimit ?? fromTask?.limit;
  const source = request.concurrencyKey === undefined && fromTask
    ? ` (from task "${task!.name}"'s concurrency.key)`
    : "";
  if (key === undefined) {
    issues.push({ path: "concurrency_key", message: "required with concurrency_limit" });
  } else {
    const problem = keyProblem(key);
    if (problem) issues.push({ path: "concurrency_key", message: problem + source });
  }
  if (limit === undefined) {
    issues.push({
      path: "concurrency_limit",
      message: `required: task "${task?.name}" sets no concurrency limit`,
    });
  } else {
    const problem = limitProblem(limit);
    if (problem) issues.push({ path: "concurrency_limit", message: problem });
  }
  // Each of these is its own atomic write in the store; a key's lanes are another.
  const others = [
    ["group", request.group],
    ["depends_on", request.dependsOn],
    ["idempotency_key", request.idempotencyKey],
    ["debounce", request.debounce],
  ] as const;
  for (const [field, value] of others) {
    if (value !== undefined) {
      issues.push({
        path: "concurrency_key",
        message: `not taken together with ${field}${source}`,
      });
    }
  }
  if (issues.length > 0) return { issues };
  return { concurrency: { key: key as string, limit: limit! }, issues };
}
