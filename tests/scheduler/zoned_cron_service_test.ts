import { scheduleGetMany, scheduleRun } from "../../src/scheduler/schedule_records.ts";
import { assertEquals } from "../assert.ts";
import { cronFixture, type Registration } from "./fixture.ts";

const MINUTE = 60_000;
const iso = (ms: number | undefined) => ms === undefined ? undefined : new Date(ms).toISOString();

/**
 * Two cron "processes" whose Deno.cron fires every minute from `from` to `to` (both fire
 * every tick, one of them 200 ms late); answers the tick keys of the jobs enqueued.
 */
async function runTwoProcesses(
  definition: { cron: string; timezone: string },
  from: string,
  to: string,
): Promise<string[]> {
  await using fx = await cronFixture(
    [{ name: "zoned", task: "noop", ...definition }],
    Date.parse(from),
  );
  const [a, b]: Registration[][] = [[], []];
  await fx.service(a).start();
  await fx.service(b).start();
  assertEquals([a[0].schedule, b[0].schedule], ["* * * * *", "* * * * *"]);
  const ticks: string[] = [];
  while (fx.clock.now() < Date.parse(to)) {
    await Promise.all([a[0].handler(), b[0].handler()]);
    fx.clock.advance(200);
    await b[0].handler();
    const [record] = await scheduleGetMany(fx.store, { names: ["zoned"] });
    const tick = iso(record.lastTickAt);
    if (tick !== undefined && tick !== ticks.at(-1)) ticks.push(tick);
    fx.clock.advance(MINUTE - 200);
  }
  const { jobs } = await fx.store.jobList({ limit: 100 });
  assertEquals(jobs.length, ticks.length, "one job per tick");
  return ticks;
}

Deno.test("two tq cron processes on New York time: one job at each change of daylight saving", async () => {
  // Spring: 02:30 is skipped, so it runs once at 03:00 EDT (07:00 UTC).
  const spring = await runTwoProcesses(
    { cron: "30 2 * * *", timezone: "America/New_York" },
    "2026-03-07T22:00:00Z",
    "2026-03-09T12:00:00Z",
  );
  assertEquals(spring, ["2026-03-08T07:00:00.000Z", "2026-03-09T06:30:00.000Z"]);
  // Autumn: 01:30 happens twice; only the first (EDT, 05:30 UTC) runs.
  const autumn = await runTwoProcesses(
    { cron: "30 1 * * *", timezone: "America/New_York" },
    "2026-10-31T22:00:00Z",
    "2026-11-02T12:00:00Z",
  );
  assertEquals(autumn, ["2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"]);
});

Deno.test("two tq cron processes on Berlin time: one job at each change of daylight saving", async () => {
  const spring = await runTwoProcesses(
    { cron: "30 2 * * *", timezone: "Europe/Berlin" },
    "2026-03-28T12:00:00Z",
    "2026-03-30T12:00:00Z",
  );
  assertEquals(spring, ["2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"]);
  const autumn = await runTwoProcesses(
    { cron: "30 2 * * *", timezone: "Europe/Berlin" },
    "2026-10-24T12:00:00Z",
    "2026-10-26T12:00:00Z",
  );
  assertEquals(autumn, ["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
});

Deno.test("catch-up 'last' in a time zone runs the latest missed local tick", async () => {
  await using fx = await cronFixture([{
    name: "zoned",
    cron: "0 9 * * *",
    timezone: "Asia/Kolkata",
    task: "noop",
    catchUp: "last",
  }], Date.UTC(2026, 0, 5, 12));
  const job = fx.producer.prepare({ task: "noop", input: {} });
  await scheduleRun(fx.store, { name: "zoned", job, tickAt: Date.UTC(2026, 0, 2, 3, 30) });
  await fx.service().start();
  const [record] = await scheduleGetMany(fx.store, { names: ["zoned"] });
  assertEquals(iso(record.lastTickAt), "2026-01-05T03:30:00.000Z"); // 09:00 IST today
});
