import { assertEquals, assertThrows } from "../assert.ts";
import {
  matchesCron,
  nextTick,
  parseCron,
  previousTick,
} from "../../src/scheduler/cron_expression.ts";
import { toDenoCron } from "../../src/scheduler/deno_cron.ts";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

Deno.test("parseCron() expands values, ranges, steps, lists and names", () => {
  const table: [string, keyof ReturnType<typeof parseCron>, number[]][] = [
    ["*/15 * * * *", "minutes", [0, 15, 30, 45]],
    ["5/20 * * * *", "minutes", [5, 25, 45]],
    ["0 9-17/4 * * *", "hours", [9, 13, 17]],
    ["0 0 1,15,31 * *", "days", [1, 15, 31]],
    ["0 0 * JAN,jul-sep *", "months", [1, 7, 8, 9]],
    ["0 0 * * MON-FRI", "weekdays", [1, 2, 3, 4, 5]],
    ["0 0 * * 5-7", "weekdays", [5, 6, 0]],
    ["0 0 * * 7", "weekdays", [0]],
  ];
  for (const [source, field, values] of table) {
    assertEquals([...parseCron(source)[field] as Set<number>], values, source);
  }
});

Deno.test("parseCron() names the field and the problem of a bad expression", () => {
  const table: [string, string][] = [
    ["* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4"],
    ["60 * * * *", "minute: 60 is out of range 0-59"],
    ["* 24 * * *", "hour: 24 is out of range 0-23"],
    ["* * 0 * *", "day of month: 0 is out of range 1-31"],
    ["* * * 13 *", "month: 13 is out of range 1-12"],
    ["* * * * 8", "day of week: 8 is out of range 0-7"],
    ["* * * * FUNDAY", 'day of week: "FUNDAY" is not a number'],
    ["*/0 * * * *", 'minute: step "0" must be a whole number from 1'],
    ["5-1 * * * *", 'minute: range "5-1" runs backwards'],
    ["1,,2 * * * *", 'minute: "" is not a value, range or step'],
    ["@hourly", "expected 5 fields (minute hour day-of-month month day-of-week), got 1"],
    ["0 0 30 2 *", '"0 0 30 2 *" never fires (no such date)'],
  ];
  for (const [source, message] of table) {
    assertEquals(assertThrows(() => parseCron(source)).message, message, source);
  }
});

// 2026-01-04 is a Sunday; the week runs to Saturday 2026-01-10.
const WEEK = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"].map((name, i) => ({
  name,
  nine: Date.UTC(2026, 0, 4 + i, 9),
}));

/** Deno.cron's own reading of a day-of-week field: 1 = Sunday … 7 = Saturday. */
function denoFires(denoField: string, time: number): boolean {
  if (denoField === "*") return true;
  return denoField.split(",").map(Number).includes(new Date(time).getUTCDay() + 1);
}

Deno.test("weekdays keep their crontab meaning on every day of a week, and in Deno.cron", () => {
  const table: [string, string[]][] = [
    ["0", ["SUN"]],
    ["7", ["SUN"]],
    ["1", ["MON"]],
    ["2", ["TUE"]],
    ["3", ["WED"]],
    ["4", ["THU"]],
    ["5", ["FRI"]],
    ["6", ["SAT"]],
    ["1-5", ["MON", "TUE", "WED", "THU", "FRI"]],
    ["MON-FRI", ["MON", "TUE", "WED", "THU", "FRI"]],
    ["0,6", ["SUN", "SAT"]],
    ["SAT,SUN", ["SUN", "SAT"]],
    ["5-7", ["SUN", "FRI", "SAT"]],
    ["*/2", ["SUN", "TUE", "THU", "SAT"]],
    ["*", ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]],
  ];
  for (const [field, days] of table) {
    const expression = parseCron(`0 9 * * ${field}`);
    const denoField = toDenoCron(expression).split(" ")[4];
    for (const { name, nine } of WEEK) {
      const expected = days.includes(name);
      assertEquals(matchesCron(expression, nine), expected, `${field} on ${name}`);
      assertEquals(denoFires(denoField, nine), expected, `${field} → ${denoField} on ${name}`);
    }
  }
});

Deno.test("toDenoCron() lists plain numbers and widens either-day expressions", () => {
  const table: [string, string][] = [
    ["*/5 * * * *", "0,5,10,15,20,25,30,35,40,45,50,55 * * * *"],
    ["0 9 * * 1-5", "0 9 * * 2,3,4,5,6"],
    ["0 0 * * 0", "0 0 * * 1"],
    ["0 0 1 JAN *", "0 0 1 1 *"],
    ["0 0 1,15 * MON", "0 0 * * *"],
  ];
  for (const [source, deno] of table) assertEquals(toDenoCron(parseCron(source)), deno, source);
});

Deno.test("a day matches either restricted day field, as in crontab", () => {
  const expression = parseCron("0 0 13 * FRI");
  assertEquals(matchesCron(expression, at("2026-02-13T00:00:00Z")), true); // Friday the 13th
  assertEquals(matchesCron(expression, at("2026-01-13T00:00:00Z")), true); // a Tuesday
  assertEquals(matchesCron(expression, at("2026-01-16T00:00:00Z")), true); // a Friday
  assertEquals(matchesCron(expression, at("2026-01-14T00:00:00Z")), false);
});

Deno.test("nextTick() and previousTick() find the neighbouring firing times", () => {
  const table: [string, string, string, string][] = [
    // expression, from, next, previous (at or before)
    ["*/5 * * * *", "2026-01-01T00:07:30Z", "2026-01-01T00:10:00.000Z", "2026-01-01T00:05:00.000Z"],
    ["0 0 * * *", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00.000Z", "2026-01-01T00:00:00.000Z"],
    ["0 9 * * 1-5", "2026-01-02T10:00:00Z", "2026-01-05T09:00:00.000Z", "2026-01-02T09:00:00.000Z"],
    ["0 9 * * 1-5", "2026-01-04T12:00:00Z", "2026-01-05T09:00:00.000Z", "2026-01-02T09:00:00.000Z"],
    [
      "30 23 31 * *",
      "2026-02-10T00:00:00Z",
      "2026-03-31T23:30:00.000Z",
      "2026-01-31T23:30:00.000Z",
    ],
    ["0 0 29 2 *", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00.000Z", "2024-02-29T00:00:00.000Z"],
    [
      "59 23 31 12 *",
      "2026-06-01T00:00:00Z",
      "2026-12-31T23:59:00.000Z",
      "2025-12-31T23:59:00.000Z",
    ],
  ];
  for (const [source, from, next, previous] of table) {
    const expression = parseCron(source);
    assertEquals(iso(nextTick(expression, at(from))), next, `next ${source} after ${from}`);
    assertEquals(iso(previousTick(expression, at(from))), previous, `previous ${source} ${from}`);
  }
});
