/**
 * Wall-clock time in an IANA time zone, from `Intl.DateTimeFormat` alone (no tz library):
 * the local time of an instant, and the instants a local time names (none in a spring-
 * forward gap, two in an autumn overlap). Local times are written as "wall" numbers: the
 * epoch ms of that date and time read as if it were UTC, so `cron_expression.ts` can match
 * and search them with its UTC functions.
 *
 * @example
 * ```ts
 * import { instantsOf, wallTime } from "./time_zone.ts";
 * // 2026-07-01 12:00 UTC is 08:00 in New York (EDT, UTC-4).
 * console.assert(wallTime("America/New_York", Date.UTC(2026, 6, 1, 12)) === Date.UTC(2026, 6, 1, 8));
 * // 02:30 on 8 March 2026 does not exist there (clocks go 02:00 -> 03:00).
 * console.assert(instantsOf("America/New_York", Date.UTC(2026, 2, 8, 2, 30)).length === 0);
 * ```
 * @module
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, format);
  }
  return format;
}

/**
 * Checks an IANA zone name and answers it as given (ICU would rename some, such as
 * `Asia/Kolkata` to `Asia/Calcutta`); throws a `RangeError` naming it when the runtime does
 * not know it.
 *
 * @example
 * ```ts
 * import { checkTimeZone } from "./time_zone.ts";
 * console.assert(checkTimeZone("Asia/Kolkata") === "Asia/Kolkata");
 * try {
 *   checkTimeZone("Mars/Olympus_Mons");
 * } catch (error) {
 *   console.assert((error as Error).message === 'unknown time zone "Mars/Olympus_Mons"');
 * }
 * ```
 */
export function checkTimeZone(zone: string): string {
  try {
    if (zone.trim() === "") throw new RangeError("empty");
    formatter(zone);
    return zone;
  } catch {
    throw new RangeError(`unknown time zone "${zone}"`);
  }
}

/**
 * The local wall-clock time of `instant` in `zone`, as a wall number (see the module doc).
 *
 * @example
 * ```ts
 * import { wallTime } from "./time_zone.ts";
 * // Berlin is UTC+1 in winter.
 * console.assert(wallTime("Europe/Berlin", Date.UTC(2026, 0, 1, 23, 30)) === Date.UTC(2026, 0, 2, 0, 30));
 * ```
 */
export function wallTime(zone: string, instant: number): number {
  const fields: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(instant)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const { year, month, day, hour, minute, second } = fields;
  return Date.UTC(year, month - 1, day, hour, minute, second) + (instant % 1000 + 1000) % 1000;
}

/**
 * The zone's offset from UTC at `instant`, in ms (east positive: Berlin in winter 3,600,000).
 *
 * @example
 * ```ts
 * import { offsetAt } from "./time_zone.ts";
 * console.assert(offsetAt("America/New_York", Date.UTC(2026, 0, 1)) === -5 * 3_600_000);
 * ```
 */
export function offsetAt(zone: string, instant: number): number {
  return wallTime(zone, instant) - instant;
}

/**
 * The instants whose local time in `zone` is `wall`, earliest first: one usually, none
 * when the spring change skips it, two when the autumn change repeats it. Assumes at most
 * one offset change within a day of it, as in every real zone.
 *
 * @example
 * ```ts
 * import { instantsOf } from "./time_zone.ts";
 * // 01:30 on 1 November 2026 happens twice in New York: at 05:30 and 06:30 UTC.
 * const twice = instantsOf("America/New_York", Date.UTC(2026, 10, 1, 1, 30));
 * console.assert(twice[0] === Date.UTC(2026, 10, 1, 5, 30) && twice[1] === Date.UTC(2026, 10, 1, 6, 30));
 * ```
 */
export function instantsOf(zone: string, wall: number): number[] {
  const offsets = new Set([offsetAt(zone, wall - DAY_MS), offsetAt(zone, wall + DAY_MS)]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const instant = wall - offset;
    if (wallTime(zone, instant) === wall) found.add(instant);
  }
  return [...found].sort((a, b) => a - b);
}

/**
 * The instant a spring-forward gap ends: for a `wall` time the change skipped, the first
 * instant after the change (whose local time is the skipped time plus the jump). Null when
 * `wall` is not in a gap.
 *
 * @example
 * ```ts
 * import { gapEnd } from "./time_zone.ts";
 * // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
 * console.assert(gapEnd("Europe/Berlin", Date.UTC(2026, 2, 29, 2, 30)) === Date.UTC(2026, 2, 29, 1));
 * ```
 */
export function gapEnd(zone: string, wall: number): number | null {
  if (instantsOf(zone, wall).length > 0) return null;
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  // The change lies between these two instants; find the first one on the new offset.
  let [low, high] = [wall - after, wall - before]; // low: old offset, high: new offset
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (offsetAt(zone, middle) === after) high = middle;
    else low = middle;
  }
  return high;
}
