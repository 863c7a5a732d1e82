/**
 * Rate limits: at most `max` job starts in any window of `per` ms, per task (`rateLimit` of
 * `defineTask`) or per queue (`queueRateLimits` of the `Registry`), across every worker
 * process. Workers claim through `rate_limit_tokens.ts`, which caps a limit's jobs at 0
 * until they are ready, then reserves starts in a window record per limit and caps the claim
 * to them (the pure rule is `rate_limit_window.ts`). A job over its limit stays `queued` and is claimed later: no
 * attempt is used, and jobs of other tasks in its queue are claimed past it.
 *
 * @example
 * ```ts
 * import { rateLimitKeys } from "./rate_limit.ts";
 * const limits = { tasks: { send: { max: 5, per: 1_000 } }, queues: {} };
 * console.assert(rateLimitKeys(limits, "mail", "send").join() === "task:send");
 * ```
 * @module
 */

/** At most `max` starts in any `per` ms. */
export interface RateLimit {
  /** Starts allowed per window, from 1 to {@linkcode MAX_RATE_LIMIT_MAX}. */
  max: number;
  /** The window, in ms, from 1 to {@linkcode MAX_RATE_LIMIT_PER_MS}. */
  per: number;
}

/** The limits a worker enforces in its claims, by task name and by queue name. */
export interface RateLimits {
  tasks: Record<string, RateLimit>;
  queues: Record<string, RateLimit>;
}

/** The most starts one window may allow (each is remembered until the window passes it). */
export const MAX_RATE_LIMIT_MAX = 1_000;
/** The longest window: one day. */
export const MAX_RATE_LIMIT_PER_MS = 86_400_000;

/**
 * Throws a `RangeError` naming `what` unless `limit` is a valid rate limit.
 *
 * @example
 * ```ts
 * import { assertRateLimit } from "./rate_limit.ts";
 * assertRateLimit({ max: 5, per: 1_000 }, "task send");
 * ```
 */
export function assertRateLimit(limit: RateLimit, what: string): void {
  const whole = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
  if (!whole(limit?.max, MAX_RATE_LIMIT_MAX) || !whole(limit?.per, MAX_RATE_LIMIT_PER_MS)) {
    throw new RangeError(
      `rate limit of ${what}: max must be a whole number from 1 to ${MAX_RATE_LIMIT_MAX} and ` +
        `per whole milliseconds from 1 to ${MAX_RATE_LIMIT_PER_MS}`,
    );
  }
}

/**
 * The window records a job of `task` in `queue` counts against, queue first: `queue:<name>`
 * and `task:<name>`. Empty for a job without limits.
 *
 * @example
 * ```ts
 * import { rateLimitKeys } from "./rate_limit.ts";
 * const limits = { tasks: {}, queues: { mail: { max: 1, per: 10 } } };
 * console.assert(rateLimitKeys(limits, "mail", "send").join() === "queue:mail");
 * ```
 */
export function rateLimitKeys(limits: RateLimits, queue: string, task: string): string[] {
  const keys: string[] = [];
  if (Object.hasOwn(limits.queues, queue)) keys.push(`queue:${queue}`);
  if (Object.hasOwn(limits.tasks, task)) keys.push(`task:${task}`);
  return keys;
}

/**
 * The limit behind a key of {@linkcode rateLimitKeys}.
 *
 * @example
 * ```ts
 * import { limitOf } from "./rate_limit.ts";
 * const limits = { tasks: { send: { max: 5, per: 1_000 } }, queues: {} };
 * console.assert(limitOf(limits, "task:send").max === 5);
 * ```
 */
export function limitOf(limits: RateLimits, key: string): RateLimit {
  const at = key.indexOf(":");
  const table = key.slice(0, at) === "queue" ? limits.queues : limits.tasks;
  return table[key.slice(at + 1)];
}

/**
 * The limits of a set of tasks and queues, or undefined when there are none (so claims
 * take the plain path and jobs without limits pay nothing).
 *
 * @example
 * ```ts
 * import { collectRateLimits } from "./rate_limit.ts";
 * console.assert(collectRateLimits([{ name: "a" }], {}) === undefined);
 * ```
 */
export function collectRateLimits(
  tasks: { name: string; rateLimit?: RateLimit }[],
  queues: Record<string, RateLimit>,
): RateLimits | undefined {
  const byTask = Object.fromEntries(
    tasks.flatMap((task) => task.rateLimit ? [[task.name, task.rateLimit]] : []),
  );
  if (Object.keys(byTask).length === 0 && Object.keys(queues).length === 0) return undefined;
  return { tasks: byTask, queues: { ...queues } };
}
