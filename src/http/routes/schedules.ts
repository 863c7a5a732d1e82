/**
 * Recurring jobs over HTTP: `GET /schedules` lists every schedule with its next run, last
 * run and job, and paused flag; `POST /schedules/{name}/pause`, `/resume` and `/trigger`
 * act on one. A trigger enqueues a job at once, outside the cron ticks (paused or not).
 *
 * @example
 * ```ts ignore
 * scheduleRoutes(app, deps);
 * const { schedules } = await (await app.request("/schedules")).json();
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { JOB_STATES } from "../../job.ts";
import { CATCH_UP_POLICIES, type Schedule } from "../../scheduler/schedule.ts";
import { findSchedule, scheduleStatuses } from "../../scheduler/schedule_status.ts";
import { runSchedule } from "../../scheduler/run_schedule.ts";
import { schedulePause } from "../../scheduler/schedule_records.ts";
import type { AppDeps } from "../app.ts";
import { enqueuedJson, jobUrl } from "../enqueue.ts";
import { Enqueued, errorResponses, jsonResponse } from "../schemas.ts";

const time = z.string().nullable();
const ScheduleSchema = z.object({
  name: z.string(),
  cron: z.string().openapi({ description: "Standard crontab meaning, read in `timezone`" }),
  timezone: z.string().openapi({ description: "IANA time zone", example: "America/New_York" }),
  task: z.string(),
  catch_up: z.enum(CATCH_UP_POLICIES as ["skip", "last"]),
  paused: z.boolean(),
  next_run_at: time.openapi({
    description: "UTC instant of the next local-time match (daylight-saving rules applied)",
  }),
  last_run_at: time,
  last_tick_at: time,
  last_job_id: z.string().nullable(),
  last_job_status: z.enum(JOB_STATES).nullable(),
  description: z.string().nullable(),
}).openapi("Schedule");

const NameParams = z.object({
  name: z.string().openapi({ param: { name: "name", in: "path" }, example: "nightly_reports" }),
});

const listRoute = createRoute({
  method: "get",
  path: "/schedules",
  summary: "Every schedule: expression, next run, last run and its job, paused or not",
  responses: {
    200: jsonResponse(z.object({ schedules: z.array(ScheduleSchema) }), "Every schedule"),
    ...errorResponses({ 503: "Store unavailable" }),
  },
});

function actionRoute(action: "pause" | "resume", summary: string) {
  return createRoute({
    method: "post",
    path: `/schedules/{name}/${action}`,
    summary,
    request: { params: NameParams },
    responses: {
      200: jsonResponse(ScheduleSchema, "The schedule"),
      ...errorResponses({ 404: "No such schedule", 503: "Store unavailable" }),
    },
  });
}

const triggerRoute = createRoute({
  method: "post",
  path: "/schedules/{name}/trigger",
  summary: "Enqueue the schedule's job now, outside its ticks",
  request: { params: NameParams },
  responses: {
    202: jsonResponse(Enqueued, "Enqueued"),
    ...errorResponses({ 404: "No such schedule", 503: "Store unavailable" }),
  },
});

/**
 * Adds the schedule routes to `app`.
 *
 * @example
 * ```ts ignore
 * scheduleRoutes(app, deps);
 * ```
 */
export function scheduleRoutes(app: OpenAPIHono, deps: AppDeps): void {
  const { store, clock, producer, schedules } = deps;
  const status = async (schedule: Schedule) =>
    (await scheduleStatuses({ store, schedules: [schedule], now: clock.now() }))[0];

  app.openapi(listRoute, async (c) => {
    return c.json(
      { schedules: await scheduleStatuses({ store, schedules, now: clock.now() }) },
      200,
    );
  });

  for (const action of ["pause", "resume"] as const) {
    const summary = action === "pause" ? "Stop enqueuing at ticks" : "Enqueue at ticks again";
    app.openapi(actionRoute(action, summary), async (c) => {
      const schedule = findSchedule(schedules, c.req.valid("param").name);
      await schedulePause(store, { name: schedule.name, paused: action === "pause" });
      return c.json(await status(schedule), 200);
    });
  }

  app.openapi(triggerRoute, async (c) => {
    const schedule = findSchedule(schedules, c.req.valid("param").name);
    const { job } = await runSchedule({ store, producer, schedule });
    c.header("Location", jobUrl(job.id));
    return c.json(enqueuedJson(job), 202);
  });
}
