/**
 * The dashboard's schedules: the page (`/ui/schedules`) and its form actions, pause, resume
 * and trigger now, each answered with a redirect (303) back to the page. They do what
 * `POST /schedules/{name}/pause|resume|trigger` do; an unknown name is the API's 404.
 *
 * @example
 * ```ts ignore
 * scheduleDashboardRoutes(app, deps, htmlPage, notice);
 * ```
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { runSchedule } from "../../scheduler/run_schedule.ts";
import { findSchedule } from "../../scheduler/schedule_status.ts";
import { schedulePause } from "../../scheduler/schedule_records.ts";
import { csrfValue } from "../auth/cookies.ts";
import type { AppDeps } from "../app.ts";
import { type Html, page } from "./layout.ts";
import { schedulesTable } from "./schedules_page.ts";
import { url } from "../base_path.ts";

/**
 * Adds the schedules page and its actions to `app`; `respond` turns a page into a response
 * and `notice` a `done` code into its message.
 *
 * @example
 * ```ts ignore
 * scheduleDashboardRoutes(app, deps, htmlPage, (done) => NOTICES[done]);
 * ```
 */
export function scheduleDashboardRoutes(
  app: OpenAPIHono,
  { store, producer, schedules, clock }: AppDeps,
  respond: (page: Html) => Promise<Response>,
  notice: (done?: string) => string | undefined,
): void {
  app.get("/ui/schedules", (c) =>
    respond(page({
      title: "Schedules",
      nav: "schedules",
      notice: notice(c.req.query("done")),
      body: schedulesTable(store, schedules, clock.now(), csrfValue(c)),
    })));

  for (const action of ["pause", "resume"] as const) {
    app.post(`/ui/schedules/:name/${action}`, async (c) => {
      const schedule = findSchedule(schedules, c.req.param("name"));
      await schedulePause(store, { name: schedule.name, paused: action === "pause" });
      return c.redirect(url(`/ui/schedules?done=schedule_${action}d`), 303);
    });
  }

  app.post("/ui/schedules/:name/trigger", async (c) => {
    const schedule = findSchedule(schedules, c.req.param("name"));
    await runSchedule({ store, producer, schedule });
    return c.redirect(url("/ui/schedules?done=schedule_triggered"), 303);
  });
}
