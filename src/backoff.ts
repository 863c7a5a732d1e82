/**
 * Retry delays: exponential, capped, with "equal jitter" so a burst of failures does not
 * come back as a burst of retries.
 *
 * @example
 * ```ts
 * import { retryDelay } from "./backoff.ts";
 * const ms = retryDelay({ baseMs: 1000, maxMs: 60_000 }, 3, () => 0.5); // 3000
 * ```
 * @module
 */
import type { Backoff } from "./job.ts";

/**
 * The wait before retrying after failed attempt number `attempt` (from 1):
 * `d = min(maxMs, baseMs · 2^(attempt-1))`, then a uniform pick in `[d/2, d]`.
 *
 * @example
 * ```ts
 * import { retryDelay } from "./backoff.ts";
 * console.assert(retryDelay({ baseMs: 100, maxMs: 1_000 }, 10, () => 1) === 1_000);
 * ```
 */
export function retryDelay(backoff: Backoff, attempt: number, random: () => number = Math.random) {
  const exponential = backoff.baseMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(backoff.maxMs, exponential);
  return Math.round(capped / 2 + random() * (capped / 2));
}
