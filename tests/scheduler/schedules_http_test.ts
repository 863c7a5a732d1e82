import { createApp } from "../../src/http/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { registry } from "../../tasks/mod.ts";
import { compileSchedules, type ScheduleDefinition } from "../../src/scheduler/schedule.ts";
import { assertEquals, assertThrows } from "../assert.ts";
import { cronFixture } from "./fixture.ts";

const NIGHTLY = { name: "nightly", cron: "0 0 * * *", task: "noop", catchUp: "last" as const };

async function withScheduleApi(
  fn: (api: { request: (path: string, method?: string) => Promise<Response> }) => Promise<void>,
  definitions: ScheduleDefinition[] = [NIGHTLY],
) {
  await using fx = await cronFixture(definitions); // Monday 2026-01-05 08:59:30
  const { store, producer, clock, schedules } = fx;
  const app = createApp({ producer, store, registry, clock, schedules, logger: silentLogger });
  await fn({ request: async (path, method = "GET") => await app.request(path, { method }) });
}

Deno.test("GET /schedules shows next run, last run and its job, and paused", async () => {
  await withScheduleApi(async ({ request }) => {
    const before = await (await request("/schedules")).json();
    assertEquals(before.schedules, [{
      name: "nightly",
      cron: "0 0 * * *",
      timezone: "UTC",
      task: "noop",
      catch_up: "last",
      paused: false,
      next_run_at: "2026-01-06T00:00:00.000Z",
      last_run_at: null,
      last_tick_at: null,
      last_job_id: null,
      last_job_status: null,
      description: null,
    }]);
    const triggered = await request("/schedules/nightly/trigger", "POST");
    assertEquals(triggered.status, 202);
    const { job_id } = await triggered.json();
    const [after] = (await (await request("/schedules")).json()).schedules;
    assertEquals(
      [after.last_run_at, after.last_job_id, after.last_job_status],
      ["2026-01-05T08:59:30.000Z", job_id, "queued"],
    );
  });
});

Deno.test("POST /schedules/{name}/pause and /resume flip paused", async () => {
  await withScheduleApi(async ({ request }) => {
    const paused = await (await request("/schedules/nightly/pause", "POST")).json();
    assertEquals([paused.paused, paused.next_run_at], [true, null]);
    const resumed = await (await request("/schedules/nightly/resume", "POST")).json();
    assertEquals([resumed.paused, resumed.next_run_at], [false, "2026-01-06T00:00:00.000Z"]);
  });
});

Deno.test("an unknown schedule is a 404 naming it", async () => {
  await withScheduleApi(async ({ request }) => {
    const res = await request("/schedules/nope/trigger", "POST");
    assertEquals(res.status, 404);
    assertEquals((await res.json()).error, {
      code: "schedule_not_found",
      message: 'no schedule named "nope"',
      schedule: "nope",
    });
  });
});

Deno.test("GET /schedules gives next_run_at as the UTC instant of the next local match", async () => {
  const zoned = [
    { name: "ny", cron: "0 9 * * *", timezone: "America/New_York", task: "noop" },
    { name: "berlin", cron: "30 8 * * *", timezone: "Europe/Berlin", task: "noop" },
  ];
  await withScheduleApi(async ({ request }) => {
    const { schedules } = await (await request("/schedules")).json();
    assertEquals(
      schedules.map((s: Record<string, string>) => [s.name, s.timezone, s.next_run_at]),
      [
        ["ny", "America/New_York", "2026-01-05T14:00:00.000Z"], // 09:00 EST today
        ["berlin", "Europe/Berlin", "2026-01-06T07:30:00.000Z"], // 08:30 CET was 07:30 UTC
      ],
    );
  }, zoned);
});

Deno.test("an unknown time zone stops start-up with an error naming the schedule", () => {
  const error = assertThrows(
    () => compileSchedules([{ ...NIGHTLY, timezone: "America/Nowhere" }], registry),
    TypeError,
  );
  assertEquals(error.message, 'schedule "nightly": unknown time zone "America/Nowhere"');
});
