import { createApp } from "../../src/http/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { registry } from "../../tasks/mod.ts";
import { assertEquals } from "../assert.ts";
import { cronFixture } from "./fixture.ts";

const NIGHTLY = { name: "nightly", cron: "0 0 * * *", task: "noop", catchUp: "last" as const };

async function withScheduleApi(
  fn: (api: { request: (path: string, method?: string) => Promise<Response> }) => Promise<void>,
) {
  await using fx = await cronFixture([NIGHTLY]); // Monday 2026-01-05 08:59:30
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
