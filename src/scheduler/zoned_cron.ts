/**
 * Cron expressions matched in local time in an IANA zone, with these rules at the changes
 * of daylight-saving time:
 *
 * - a local time the spring change skips runs once, at the first minute after the change
 *   (all skipped times of one change together, and with that minute's own match: one run);
 * - a local time the autumn change repeats runs once, at its first occurrence.
 *
 * Each local tick thus maps to one UTC minute, its "fire time": the instant it runs at and
 * the tick key `scheduleRun` (`schedule_records.ts`) checks, the same in every `tq cron` process. Pure
 * functions (`Intl` gives the zone's rules); `UTC` takes the plain path of
 * `cron_expression.ts`.
 *
 * @example
 * ```ts
 * import { parseCron } from "./cron_expression.ts";
 * import { nextFire } from "./zoned_cron.ts";
 * // 09:00 in New York on 2 January 2026 (EST, UTC-5) is 14:00 UTC.
 * const at = nextFire(parseCron("0 9 * * *"), "America/New_York", Date.UTC(2026, 0, 2));
 * console.assert(at === Date.UTC(2026, 0, 2, 14));
 * ```
 * @module
 */
import { type CronExpression, matchesCron, nextTick, previousTick } from "./cron_expression.ts";
import { gapEnd, instantsOf, offsetAt, wallTime } from "./time_zone.ts";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** More local ticks than any search needs to step over one offset change. */
const STEP_LIMIT = 10_000;

const isUtc = (zone: string) => zone === "UTC" || zone === "Etc/UTC";
const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/**
 * The UTC minute a local tick (a wall number, see `time_zone.ts`) runs at: its first
 * occurrence, or the end of the gap that skipped it.
 *
 * @example
 * ```ts
 * import { fireTimeOf } from "./zoned_cron.ts";
 * // 02:30 on 8 March 2026 is skipped in New York: it runs at 03:00 EDT (07:00 UTC).
 * console.assert(fireTimeOf("America/New_York", Date.UTC(2026, 2, 8, 2, 30)) === Date.UTC(2026, 2, 8, 7));
 * ```
 */
export function fireTimeOf(zone: string, wall: number): number {
  const [first] = instantsOf(zone, wall);
  if (first !== undefined) return first;
  return Math.ceil(gapEnd(zone, wall)! / MINUTE_MS) * MINUTE_MS;
}

/** How far local time may jump around `instant` (0 away from offset changes). */
function jumpNear(zone: string, instant: number): number {
  return Math.abs(offsetAt(zone, instant - DAY_MS) - offsetAt(zone, instant + DAY_MS));
}

/**
 * Whether the schedule runs in the UTC minute containing `instant`.
 *
 * @example
 * ```ts
 * import { parseCron } from "./cron_expression.ts";
 * import { firesAt } from "./zoned_cron.ts";
 * const daily = parseCron("30 1 * * *");
 * // 1 November 2026 in New York: 01:30 EDT (05:30 UTC) runs, 01:30 EST (06:30 UTC) does not.
 * console.assert(firesAt(daily, "America/New_York", Date.UTC(2026, 10, 1, 5, 30)));
 * console.assert(!firesAt(daily, "America/New_York", Date.UTC(2026, 10, 1, 6, 30)));
 * ```
 */
export function firesAt(expression: CronExpression, zone: string, instant: number): boolean {
  const minute = minuteOf(instant);
  if (isUtc(zone)) return matchesCron(expression, minute);
  const wall = wallTime(zone, minute);
  if (matchesCron(expression, wall) && fireTimeOf(zone, wall) === minute) return true;
  const jumped = wallTime(zone, minute - MINUTE_MS) + MINUTE_MS;
  if (jumped >= wall) return false; // no gap just ended here
  // The minute right after a spring change: any skipped local tick runs now.
  const skipped = nextTick(expression, jumped - MINUTE_MS);
  return skipped !== null && skipped < wall;
}

/**
 * The first UTC minute strictly after `after` at which the schedule runs, or null.
 *
 * @example
 * ```ts
 * import { parseCron } from "./cron_expression.ts";
 * import { nextFire } from "./zoned_cron.ts";
 * // Berlin, 29 March 2026: 02:30 is skipped, so it runs at 03:00 CEST, 01:00 UTC.
 * const at = nextFire(parseCron("30 2 * * *"), "Europe/Berlin", Date.UTC(2026, 2, 28, 12));
 * console.assert(at === Date.UTC(2026, 2, 29, 1));
 * ```
 */
export function nextFire(expression: CronExpression, zone: string, after: number): number | null {
  if (isUtc(zone)) return nextTick(expression, after);
  const from = minuteOf(after);
  // Local ticks map to fire times in order; start early enough for a repeated hour.
  let wall: number | null = wallTime(zone, from) - jumpNear(zone, from) - MINUTE_MS;
  for (let step = 0; step < STEP_LIMIT; step++) {
    wall = nextTick(expression, wall);
    if (wall === null) return null;
    const at = fireTimeOf(zone, wall);
    if (at > from) return at;
  }
  return null;
}

/**
 * The last UTC minute at or before `instant` (its minute counts) at which the schedule
 * runs, or null.
 *
 * @example
 * ```ts
 * import { parseCron } from "./cron_expression.ts";
 * import { previousFire } from "./zoned_cron.ts";
 * const at = previousFire(parseCron("0 9 * * *"), "Asia/Kolkata", Date.UTC(2026, 0, 2, 12));
 * console.assert(at === Date.UTC(2026, 0, 2, 3, 30)); // 09:00 IST is 03:30 UTC
 * ```
 */
export function previousFire(
  expression: CronExpression,
  zone: string,
  instant: number,
): number | null {
  if (isUtc(zone)) return previousTick(expression, instant);
  const until = minuteOf(instant);
  let wall: number | null = wallTime(zone, until) + jumpNear(zone, until);
  for (let step = 0; step < STEP_LIMIT; step++) {
    wall = previousTick(expression, wall);
    if (wall === null) return null;
    const at = fireTimeOf(zone, wall);
    if (at <= until) return at;
    wall -= MINUTE_MS;
  }
  return null;
}
