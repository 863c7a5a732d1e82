/**
 * Translation of a standard crontab expression into one `Deno.cron` fires on. Deno.cron
 * numbers days of the week 1 = Sunday … 7 = Saturday and rejects 0, so the standard
 * `0 9 * * 1-5` (Monday to Friday) would fire Sunday to Thursday there (denoland/deno#21555).
 *
 * The translation lists every field's values as plain numbers, weekdays shifted by one.
 * When both day fields are restricted (crontab: either may match) it asks Deno for every
 * day and leaves the choice to `matchesCron` (cron_expression.ts): the scheduler checks each firing
 * against the standard meaning, so Deno.cron only has to fire at least when it should.
 *
 * @example
 * ```ts
 * import { parseCron } from "./cron_expression.ts";
 * import { toDenoCron } from "./deno_cron.ts";
 * console.assert(toDenoCron(parseCron("0 9 * * 1-5")) === "0 9 * * 2,3,4,5,6");
 * ```
 * @module
 */
import type { CronExpression } from "./cron_expression.ts";

function list(values: ReadonlySet<number>, size: number, shift = 0): string {
  if (values.size === size) return "*";
  return [...values].map((v) => v + shift).sort((a, b) => a - b).join(",");
}

/**
 * The `Deno.cron` schedule that fires at least at every time `expression` does.
 *
 * @example
 * ```ts
 * import { parseCron } from "./cron_expression.ts";
 * import { toDenoCron } from "./deno_cron.ts";
 * console.assert(toDenoCron(parseCron("30 2 * * SUN,6")) === "30 2 * * 1,7");
 * console.assert(toDenoCron(parseCron("0 0 1 * MON")) === "0 0 * * *");
 * ```
 */
export function toDenoCron(expression: CronExpression): string {
  const eitherDay = !expression.anyDay && !expression.anyWeekday;
  return [
    list(expression.minutes, 60),
    list(expression.hours, 24),
    eitherDay ? "*" : list(expression.days, 31),
    list(expression.months, 12),
    eitherDay ? "*" : list(expression.weekdays, 7, 1),
  ].join(" ");
}

/**
 * What a schedule registers with `Deno.cron`: its translated expression in UTC; every
 * minute in any other zone (Deno.cron knows only UTC), where tq picks the minutes that
 * match in local time, the end of a daylight-saving gap included (`zoned_cron.ts`).
 *
 * @example
 * ```ts
 * import { parseCron } from "./cron_expression.ts";
 * import { denoCronFor } from "./deno_cron.ts";
 * console.assert(denoCronFor(parseCron("0 9 * * *"), "UTC") === "0 9 * * *");
 * console.assert(denoCronFor(parseCron("0 9 * * *"), "Europe/Berlin") === "* * * * *");
 * ```
 */
export function denoCronFor(expression: CronExpression, timezone: string): string {
  return timezone === "UTC" ? toDenoCron(expression) : "* * * * *";
}
