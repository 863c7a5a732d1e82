import {
  scheduleGetMany,
  schedulePause,
  scheduleRun,
} from "../../src/scheduler/schedule_records.ts";
import { assert, assertEquals } from "../assert.ts";
import { cronFixture, type Registration } from "./fixture.ts";

const WEEKDAYS_AT_NINE = { name: "standup", cron: "0 9 * * 1-5", task: "noop" };

Deno.test("two cron processes firing the same tick enqueue exactly one job", async () => {
  await using fx = await cronFixture([WEEKDAYS_AT_NINE]); // Monday 08:59:30
  const [a, b]: Registration[][] = [[], []];
  await fx.service(a).start();
  await fx.service(b).start();
  assertEquals(a.map((r) => [r.name, r.schedule]), [["tq standup", "0 9 * * 2,3,4,5,6"]]);
  fx.clock.advance(30_000); // 09:00:00, both processes' Deno.cron fire
  await Promise.all([a[0].handler(), b[0].handler()]);
  fx.clock.advance(250); // one fires a little late: still the same tick
  await b[0].handler();
  const { jobs } = await fx.store.jobList({ limit: 10 });
  assertEquals(jobs.map((j) => j.task), ["noop"]);
  const [record] = await scheduleGetMany(fx.store, { names: ["standup"] });
  assertEquals([record.lastTickAt, record.lastJobId], [Date.UTC(2026, 0, 5, 9), jobs[0].id]);
});

Deno.test("a firing just before the minute counts for that minute", async () => {
  await using fx = await cronFixture([WEEKDAYS_AT_NINE]);
  const service = fx.service();
  fx.clock.advance(29_500); // 08:59:59.5
  assertEquals(await service.fire(fx.schedules[0]), "enqueued");
  const [record] = await scheduleGetMany(fx.store, { names: ["standup"] });
  assertEquals(record.lastTickAt, Date.UTC(2026, 0, 5, 9));
});

Deno.test("a firing in a minute the schedule does not name enqueues nothing", async () => {
  // Both day fields restricted: Deno.cron is asked for every day and tq picks the days.
  await using fx = await cronFixture([{ name: "either", cron: "0 9 13 * FRI", task: "noop" }]);
  const registered: Registration[] = [];
  await fx.service(registered).start();
  assertEquals(registered[0].schedule, "0 9 * * *");
  fx.clock.advance(30_000); // Monday 5 January, 09:00: neither the 13th nor a Friday
  await registered[0].handler();
  assertEquals((await fx.store.jobList({ limit: 10 })).jobs, []);
  fx.clock.advance(4 * 86_400_000); // Friday 9 January, 09:00
  await registered[0].handler();
  assertEquals((await fx.store.jobList({ limit: 10 })).jobs.length, 1);
});

Deno.test("a paused schedule enqueues nothing at its ticks until resumed", async () => {
  await using fx = await cronFixture([WEEKDAYS_AT_NINE]);
  const service = fx.service();
  await schedulePause(fx.store, { name: "standup", paused: true });
  fx.clock.advance(30_000);
  assertEquals(await service.fire(fx.schedules[0]), "paused");
  await schedulePause(fx.store, { name: "standup", paused: false });
  fx.clock.advance(86_400_000);
  assertEquals(await service.fire(fx.schedules[0]), "enqueued");
});

Deno.test("catch-up 'last' runs the latest missed tick once; 'skip' runs none", async () => {
  const nine = Date.UTC(2026, 0, 5, 9);
  await using fx = await cronFixture([
    { ...WEEKDAYS_AT_NINE, name: "last", catchUp: "last" },
    { ...WEEKDAYS_AT_NINE, name: "skip" },
  ], nine);
  // Both ran Monday at 09:00, then every process was down until Thursday noon.
  for (const schedule of fx.schedules) {
    const job = fx.producer.prepare({ task: "noop", input: {} });
    await scheduleRun(fx.store, { name: schedule.name, job, tickAt: nine });
  }
  fx.clock.advance(3 * 86_400_000 + 3 * 3_600_000);
  await Promise.all([fx.service().start(), fx.service().start()]);
  const [last, skip] = await scheduleGetMany(fx.store, { names: ["last", "skip"] });
  assertEquals(last.lastTickAt, Date.UTC(2026, 0, 8, 9), "Thursday's tick, once");
  assertEquals(skip.lastTickAt, nine);
  assertEquals((await fx.store.jobList({ limit: 10 })).jobs.length, 3);
});

Deno.test("catch-up 'last' does nothing for a schedule that never ran", async () => {
  await using fx = await cronFixture([{ ...WEEKDAYS_AT_NINE, catchUp: "last" }]);
  await fx.service().start();
  assertEquals((await fx.store.jobList({ limit: 10 })).jobs, []);
});

Deno.test("stop() aborts the Deno.cron registrations", async () => {
  await using fx = await cronFixture([WEEKDAYS_AT_NINE]);
  const registered: Registration[] = [];
  const service = fx.service(registered);
  await service.start();
  assert(!registered[0].signal.aborted);
  await service.stop();
  assert(registered[0].signal.aborted);
});
