/**
 * The rules every way in (HTTP, CLI, `task.enqueue()`) applies to the strings and times a
 * request carries, so a stored record can always be keyed, compared and rendered:
 *
 * - names and keys (queues, groups, idempotency keys) are well-formed Unicode (no lone
 *   surrogates, which would all collapse to U+FFFD in a store's encoding) and hold no
 *   control characters (C0, DEL, C1);
 * - times fall between 1970-01-01 and {@linkcode MAX_AHEAD_MS} from now, durations within
 *   `[0, MAX_AHEAD_MS]`, so `new Date(ms).toISOString()` never throws.
 *
 * @example
 * ```ts
 * import { textProblem, timeProblem } from "./input_rules.ts";
 * console.assert(textProblem("\ud800") !== undefined && textProblem("\ufffd") === undefined);
 * console.assert(timeProblem(8_640_000_000_000_001, 0) !== undefined);
 * ```
 * @module
 */

/** How far ahead a job may be scheduled (`run_at`, `delay`): 10 years, in ms. */
export const MAX_AHEAD_MS = 3_650 * 86_400_000;

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * What is wrong with `text` as a name or key: undefined when nothing is.
 *
 * @example
 * ```ts
 * import { textProblem } from "./input_rules.ts";
 * console.assert(textProblem("a\u0000b") === "must not hold control characters");
 * ```
 */
export function textProblem(text: string): string | undefined {
  if (!text.isWellFormed()) return "must be well-formed Unicode (no lone surrogates)";
  if (CONTROL.test(text)) return "must not hold control characters";
  return undefined;
}

/**
 * What is wrong with `ms` as a job's start time when it is `now`: undefined when nothing is.
 *
 * @example
 * ```ts
 * import { MAX_AHEAD_MS, timeProblem } from "./input_rules.ts";
 * console.assert(timeProblem(MAX_AHEAD_MS, 0) === undefined);
 * console.assert(timeProblem(-1, 0) !== undefined);
 * ```
 */
export function timeProblem(ms: number, now: number): string | undefined {
  if (!Number.isSafeInteger(Math.trunc(ms)) || ms < 0 || ms > now + MAX_AHEAD_MS) {
    return "must be a time from 1970-01-01 to 10 years from now";
  }
  return undefined;
}

/**
 * An epoch-ms time as ISO-8601; null when unset or not a valid date (a record stored
 * before times were checked must still render).
 *
 * @example
 * ```ts
 * import { isoTime } from "./input_rules.ts";
 * console.assert(isoTime(0) === "1970-01-01T00:00:00.000Z");
 * console.assert(isoTime(2 ** 53 - 1) === null && isoTime(undefined) === null);
 * ```
 */
export function isoTime(ms: number | null | undefined): string | null {
  if (typeof ms !== "number") return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
