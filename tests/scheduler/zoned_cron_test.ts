import { parseCron } from "../../src/scheduler/cron_expression.ts";
import { checkTimeZone, instantsOf, wallTime } from "../../src/scheduler/time_zone.ts";
import { firesAt, nextFire, previousFire } from "../../src/scheduler/zoned_cron.ts";
import { assertEquals, assertThrows } from "../assert.ts";

const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

/** Every UTC minute from `from` (inclusive) to `to` (exclusive) at which the schedule runs. */
function scan(cron: string, zone: string, from: string, to: string): string[] {
  const expression = parseCron(cron);
  const fired: string[] = [];
  for (let t = at(from); t < at(to); t += MINUTE) {
    if (firesAt(expression, zone, t)) fired.push(iso(t)!);
  }
  return fired;
}

Deno.test("checkTimeZone() accepts IANA names and rejects unknown ones by name", () => {
  assertEquals(checkTimeZone("America/New_York"), "America/New_York");
  assertEquals(checkTimeZone("UTC"), "UTC");
  assertEquals(checkTimeZone("Asia/Kolkata"), "Asia/Kolkata"); // not ICU's "Asia/Calcutta"
  for (const bad of ["Mars/Olympus_Mons", "", "EST5EDT-ish"]) {
    const error = assertThrows(() => checkTimeZone(bad), RangeError);
    assertEquals(error.message, `unknown time zone "${bad}"`);
  }
});

Deno.test("instantsOf() finds none in a spring gap, two in an autumn overlap", () => {
  const ny = "America/New_York";
  assertEquals(instantsOf(ny, at("2026-03-08T02:30:00Z")), []);
  assertEquals(instantsOf(ny, at("2026-03-08T03:00:00Z")), [at("2026-03-08T07:00:00Z")]);
  assertEquals(instantsOf(ny, at("2026-11-01T01:30:00Z")), [
    at("2026-11-01T05:30:00Z"),
    at("2026-11-01T06:30:00Z"),
  ]);
  assertEquals(wallTime(ny, at("2026-11-01T06:30:00Z")), at("2026-11-01T01:30:00Z"));
});

Deno.test("Berlin spring forward: 02:30 runs once, at 03:00 CEST right after the change", () => {
  assertEquals(
    scan("30 2 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", "2026-03-30T12:00:00Z"),
    [
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 02:30 skipped: 03:00 CEST
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ],
  );
});

Deno.test("Berlin fall back: the repeated 02:30 runs once, at its first occurrence", () => {
  assertEquals(
    scan("30 2 * * *", "Europe/Berlin", "2026-10-23T12:00:00Z", "2026-10-26T12:00:00Z"),
    [
      "2026-10-24T00:30:00.000Z", // 02:30 CEST
      "2026-10-25T00:30:00.000Z", // first 02:30 (CEST); 01:30 UTC (02:30 CET) does not run
      "2026-10-26T01:30:00.000Z", // 02:30 CET
    ],
  );
});

Deno.test("New York spring forward: 02:30 runs once, at 03:00 EDT right after the change", () => {
  const zone = "America/New_York";
  assertEquals(scan("30 2 * * *", zone, "2026-03-06T12:00:00Z", "2026-03-09T12:00:00Z"), [
    "2026-03-07T07:30:00.000Z", // 02:30 EST
    "2026-03-08T07:00:00.000Z", // 02:30 skipped: 03:00 EDT
    "2026-03-09T06:30:00.000Z", // 02:30 EDT
  ]);
});

Deno.test("New York fall back: the repeated 01:30 runs once, at its first occurrence", () => {
  const zone = "America/New_York";
  assertEquals(scan("30 1 * * *", zone, "2026-10-30T12:00:00Z", "2026-11-02T12:00:00Z"), [
    "2026-10-31T05:30:00.000Z", // 01:30 EDT
    "2026-11-01T05:30:00.000Z", // first 01:30 (EDT); 06:30 UTC (01:30 EST) does not run
    "2026-11-02T06:30:00.000Z", // 01:30 EST
  ]);
});

Deno.test("an hourly schedule runs once for the skipped and next hour, and not in the repeated hour", () => {
  const zone = "America/New_York";
  assertEquals(scan("0 * * * *", zone, "2026-03-08T05:30:00Z", "2026-03-08T09:30:00Z"), [
    "2026-03-08T06:00:00.000Z", // 01:00 EST
    "2026-03-08T07:00:00.000Z", // 02:00 skipped and 03:00 EDT: one run
    "2026-03-08T08:00:00.000Z", // 04:00 EDT
    "2026-03-08T09:00:00.000Z",
  ]);
  assertEquals(scan("0 * * * *", zone, "2026-11-01T03:30:00Z", "2026-11-01T07:30:00Z"), [
    "2026-11-01T04:00:00.000Z", // 00:00 EDT
    "2026-11-01T05:00:00.000Z", // 01:00 EDT; 01:00 EST (06:00 UTC) does not run
    "2026-11-01T07:00:00.000Z", // 02:00 EST
  ]);
});

Deno.test("a schedule in a zone without daylight saving runs at its fixed offset", () => {
  assertEquals(
    scan("0 9 * * 1-5", "Asia/Kolkata", "2026-01-02T00:00:00Z", "2026-01-06T00:00:00Z"),
    [
      "2026-01-02T03:30:00.000Z", // Friday 09:00 IST
      "2026-01-05T03:30:00.000Z", // Monday
    ],
  );
  // Weekdays are local: Monday 06:00 in Auckland is still Sunday in UTC.
  assertEquals(
    scan("0 6 * * MON", "Pacific/Auckland", "2026-01-03T00:00:00Z", "2026-01-06T00:00:00Z"),
    [
      "2026-01-04T17:00:00.000Z",
    ],
  );
});

Deno.test("nextFire() and previousFire() agree with a minute-by-minute scan", () => {
  const windows: [string, string, string][] = [
    ["America/New_York", "2026-03-07T20:00:00Z", "2026-03-08T12:00:00Z"],
    ["America/New_York", "2026-10-31T20:00:00Z", "2026-11-01T12:00:00Z"],
    ["Europe/Berlin", "2026-03-28T20:00:00Z", "2026-03-29T06:00:00Z"],
    ["Europe/Berlin", "2026-10-24T20:00:00Z", "2026-10-25T06:00:00Z"],
    ["Australia/Lord_Howe", "2026-04-04T10:00:00Z", "2026-04-05T02:00:00Z"], // 30-minute change
    ["Australia/Lord_Howe", "2026-10-03T10:00:00Z", "2026-10-04T02:00:00Z"],
    ["UTC", "2026-03-28T20:00:00Z", "2026-03-29T06:00:00Z"],
  ];
  const crons = ["*/20 * * * *", "30 2 * * *", "0 * * * *", "0,30 1-3 * * *", "45 1 * * SUN"];
  for (const [zone, from, to] of windows) {
    for (const cron of crons) {
      const expression = parseCron(cron);
      const fired = scan(cron, zone, from, to);
      const chained: string[] = [];
      for (let t = nextFire(expression, zone, at(from) - MINUTE); t !== null && t < at(to);) {
        chained.push(iso(t)!);
        t = nextFire(expression, zone, t);
      }
      assertEquals(chained, fired, `next: ${cron} in ${zone} from ${from}`);
      const backwards: string[] = [];
      for (let t = previousFire(expression, zone, at(to) - MINUTE); t !== null && t >= at(from);) {
        backwards.unshift(iso(t)!);
        t = previousFire(expression, zone, t - MINUTE);
      }
      assertEquals(backwards, fired, `previous: ${cron} in ${zone} to ${to}`);
    }
  }
});

Deno.test("nextFire() is the UTC instant of the next local-time match", () => {
  const nine = parseCron("0 9 * * *");
  const cases: [string, string, string][] = [
    ["America/New_York", "2026-01-02T14:00:00Z", "2026-01-03T14:00:00.000Z"], // EST
    ["America/New_York", "2026-07-01T00:00:00Z", "2026-07-01T13:00:00.000Z"], // EDT
    ["Europe/Berlin", "2026-07-01T07:00:00Z", "2026-07-02T07:00:00.000Z"], // at 09:00 CEST
    ["Asia/Tokyo", "2026-12-31T23:59:00Z", "2027-01-01T00:00:00.000Z"],
  ];
  for (const [zone, after, next] of cases) assertEquals(iso(nextFire(nine, zone, at(after))), next);
  assertEquals(
    iso(nextFire(parseCron("30 2 * * *"), "Europe/Berlin", at("2026-03-28T02:00:00Z"))),
    "2026-03-29T01:00:00.000Z",
  );
  assertEquals(
    nextFire(parseCron("0 0 29 2 *"), "UTC", at("2026-03-01T00:00:00Z")),
    at("2028-02-29T00:00:00Z"),
  );
});
