/**
 * Five-field crontab expressions with their standard (Vixie cron) meaning, parsed into sets
 * and matched against UTC minutes: pure functions, after graphile-worker's `cronMatcher`.
 *
 * - Fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or `JAN`-`DEC`, day of
 *   week 0-7 or `SUN`-`SAT` (0 and 7 are both Sunday).
 * - Each field is a comma list of `*`, `N`, `A-B`, each optionally followed by `/STEP`.
 * - When both day fields are restricted a day matches either of them, as in crontab.
 *
 * @example
 * ```ts
 * import { nextTick, parseCron } from "./cron_expression.ts";
 * const weekdays = parseCron("0 9 * * 1-5");
 * // Friday 2026-01-02 10:00 UTC: the next run is Monday 09:00.
 * console.assert(nextTick(weekdays, Date.UTC(2026, 0, 2, 10)) === Date.UTC(2026, 0, 5, 9));
 * ```
 * @module
 */

/** A parsed expression: the allowed values of each field. */
export interface CronExpression {
  /** The text it was parsed from. */
  source: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (a 7 in the source is stored as 0). */
  weekdays: ReadonlySet<number>;
  /** Whether the day-of-month field starts with `*` (then days match by weekday alone). */
  anyDay: boolean;
  /** Whether the day-of-week field starts with `*`. */
  anyWeekday: boolean;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

const MINUTE_MS = 60_000;
/** Eight years cover every calendar pattern, leap days included. */
const SEARCH_LIMIT_MS = 8 * 366 * 86_400_000;

function parseValue(text: string, field: FieldSpec): number {
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = index >= 0 ? index + (field.name === "month" ? 1 : 0) : Number(text);
  if (!/^\d+$/.test(text) && index < 0) {
    throw new SyntaxError(`${field.name}: "${text}" is not a number`);
  }
  if (value < field.min || value > field.max) {
    throw new RangeError(`${field.name}: ${value} is out of range ${field.min}-${field.max}`);
  }
  return value;
}

function parseField(text: string, field: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(",")) {
    const [range, stepText, ...rest] = item.split("/");
    if (rest.length > 0 || range === "") {
      throw new SyntaxError(`${field.name}: "${item}" is not a value, range or step`);
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!/^\d+$/.test(stepText ?? "1") || step < 1) {
      throw new SyntaxError(`${field.name}: step "${stepText}" must be a whole number from 1`);
    }
    let [from, to] = [field.min, field.max];
    if (range !== "*") {
      const [first, last, ...more] = range.split("-");
      if (more.length > 0) throw new SyntaxError(`${field.name}: "${range}" is not a range`);
      from = parseValue(first, field);
      to = last === undefined
        ? (stepText === undefined ? from : field.max)
        : parseValue(last, field);
      if (to < from) throw new RangeError(`${field.name}: range "${range}" runs backwards`);
    }
    for (let v = from; v <= to; v += step) values.add(field.name === "day of week" ? v % 7 : v);
  }
  return values;
}

/**
 * Parses an expression; throws `SyntaxError` or `RangeError` naming the field at fault, and
 * `RangeError` for an expression that never fires (`0 0 30 2 *`).
 *
 * @example
 * ```ts
 * import { parseCron } from "./cron_expression.ts";
 * console.assert(parseCron("*\/15 * * * *").minutes.size === 4);
 * try {
 *   parseCron("61 * * * *");
 * } catch (error) {
 *   console.assert((error as Error).message === "minute: 61 is out of range 0-59");
 * }
 * ```
 */
export function parseCron(source: string): CronExpression {
  const parts = source.trim().split(/\s+/);
  if (parts.length !== 5) {
    throw new SyntaxError(
      `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`,
    );
  }
  const [minutes, hours, days, months, weekdays] = parts.map((part, i) =>
    parseField(part, FIELDS[i])
  );
  const expression: CronExpression = {
    source,
    minutes,
    hours,
    days,
    months,
    weekdays,
    anyDay: parts[2].startsWith("*"),
    anyWeekday: parts[4].startsWith("*"),
  };
  if (nextTick(expression, Date.UTC(2000, 0, 1)) === null) {
    throw new RangeError(`"${source}" never fires (no such date)`);
  }
  return expression;
}

function dayMatches(expression: CronExpression, date: Date): boolean {
  const byDay = expression.days.has(date.getUTCDate());
  const byWeekday = expression.weekdays.has(date.getUTCDay());
  // Crontab: with both day fields restricted, either may match.
  if (!expression.anyDay && !expression.anyWeekday) return byDay || byWeekday;
  return byDay && byWeekday;
}

/**
 * Whether the expression fires in the UTC minute containing `time`.
 *
 * @example
 * ```ts
 * import { matchesCron, parseCron } from "./cron_expression.ts";
 * console.assert(matchesCron(parseCron("0 0 * * 0"), Date.UTC(2026, 0, 4))); // a Sunday
 * ```
 */
export function matchesCron(expression: CronExpression, time: number): boolean {
  const date = new Date(time);
  return expression.months.has(date.getUTCMonth() + 1) && dayMatches(expression, date) &&
    expression.hours.has(date.getUTCHours()) && expression.minutes.has(date.getUTCMinutes());
}

/** Walks minute starts from `start` by `direction`, skipping whole months, days and hours. */
function search(expression: CronExpression, start: number, direction: 1 | -1): number | null {
  const date = new Date(Math.floor(start / MINUTE_MS) * MINUTE_MS);
  const limit = start + direction * SEARCH_LIMIT_MS;
  const forward = direction === 1;
  while (forward ? date.getTime() <= limit : date.getTime() >= limit) {
    if (!expression.months.has(date.getUTCMonth() + 1)) {
      // Forward: the 1st of next month, 00:00. Backward: the last minute of last month.
      if (forward) date.setUTCMonth(date.getUTCMonth() + 1, 1);
      else date.setUTCDate(0);
      date.setUTCHours(forward ? 0 : 23, forward ? 0 : 59);
    } else if (!dayMatches(expression, date)) {
      date.setUTCDate(date.getUTCDate() + direction);
      date.setUTCHours(forward ? 0 : 23, forward ? 0 : 59);
    } else if (!expression.hours.has(date.getUTCHours())) {
      date.setUTCHours(date.getUTCHours() + direction, forward ? 0 : 59);
    } else if (!expression.minutes.has(date.getUTCMinutes())) {
      date.setUTCMinutes(date.getUTCMinutes() + direction);
    } else {
      return date.getTime();
    }
  }
  return null;
}

/**
 * The first firing time strictly after `after` (epoch ms, UTC), or null if there is none.
 *
 * @example
 * ```ts
 * import { nextTick, parseCron } from "./cron_expression.ts";
 * console.assert(nextTick(parseCron("0 * * * *"), Date.UTC(2026, 0, 1, 5)) === Date.UTC(2026, 0, 1, 6));
 * ```
 */
export function nextTick(expression: CronExpression, after: number): number | null {
  return search(expression, Math.floor(after / MINUTE_MS) * MINUTE_MS + MINUTE_MS, 1);
}

/**
 * The last firing time at or before `time` (the minute containing it counts), or null.
 *
 * @example
 * ```ts
 * import { parseCron, previousTick } from "./cron_expression.ts";
 * const at = Date.UTC(2026, 0, 1, 5, 30, 12);
 * console.assert(previousTick(parseCron("0 * * * *"), at) === Date.UTC(2026, 0, 1, 5));
 * ```
 */
export function previousTick(expression: CronExpression, time: number): number | null {
  return search(expression, time, -1);
}
