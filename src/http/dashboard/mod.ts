/**
 * The web dashboard at `/`: server-rendered HTML that reads with JavaScript off, made live
 * by `/assets/tq.js` over Server-Sent Events. Pages: overview (`/`), jobs (`/ui/jobs`), a
 * job (`/ui/jobs/{id}`), a flow's graph (`/ui/flows/{id}`), a batch (`/ui/batches/{id}`),
 * workers (`/ui/workers`), schedules (`/ui/schedules`). Actions are
 * plain form posts answered with a redirect (303) back to a page: retry, cancel, run now and
 * delete a job; retry every failed job of a queue, pause or resume it; pause, resume or
 * trigger a schedule. The jobs selected in the table are retried, canceled or deleted
 * together (`bulk_actions.ts`). Bad input gets the API's 4xx JSON naming the field.
 *
 * @example
 * ```ts ignore
 * dashboardRoutes(app, deps);
 * const res = await app.request("/");
 * ```
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { DependantsWaitingError, InvalidInputError } from "../../errors.ts";
import { csrfValue } from "../auth/cookies.ts";
import { readJob } from "../../job_changes.ts";
import { applyJobAction, type JobActionOptions } from "../../job_actions.ts";
import { isJobId } from "../../ids.ts";
import { fieldIssues } from "../../producer.ts";
import { retryFailed } from "../../queue_retry.ts";
import type { AppDeps } from "../app.ts";
import { ASSETS } from "./assets.ts";
import { LiveFeed } from "./events.ts";
import { batchDetail } from "./batch_page.ts";
import { flowDetail } from "./flow_page.ts";
import { jobDetail } from "./job_page.ts";
import { jobsControls, JobsQuery, jobsSearch, jobsTable } from "./jobs_page.ts";
import { type Html, page } from "./layout.ts";
import { overview } from "./overview.ts";
import { workersTable } from "./workers_page.ts";
import { QueueNameParams } from "../routes/queue_retry.ts";
import { scheduleDashboardRoutes } from "./schedule_routes.ts";
import { bulkActionRoutes } from "./bulk_actions.ts";
import { doctorReport } from "./doctor_page.ts";
import { runDoctor } from "../../maintenance/doctor/doctor.ts";
import { url } from "../base_path.ts";
import { QueuePauses } from "../../guards/queue_pauses.ts";

/** What the `done` query parameter of a redirect says, by code (never echoed as given). */
const NOTICES: Record<string, string> = {
  retried: "The job was queued again.",
  canceled: "The job was canceled (or, if running, asked to stop).",
  run_now: "The job was queued to run now.",
  deleted: "The job was deleted.",
  deleted_cascade: "The job was deleted, and the jobs waiting for it were canceled.",
  delete_refused: "Jobs wait for this one: delete it with them canceled (Delete…), or cancel it.",
  retried_failed: "Failed jobs of the queue were queued again.",
  queue_paused: "The queue was paused: workers claim nothing from it until it is resumed.",
  queue_resumed: "The queue was resumed.",
  schedule_paused: "The schedule was paused: its ticks enqueue nothing until it is resumed.",
  schedule_resumed: "The schedule was resumed.",
  schedule_triggered: "The schedule's job was enqueued.",
};

const CANCEL_REASON = "canceled from the dashboard";

/** A queue name from the path, checked as the API checks it (422 naming `path.name`). */
function queueName(name: string): string {
  const parsed = QueueNameParams.safeParse({ name });
  if (!parsed.success) throw new InvalidInputError(fieldIssues(parsed.error, "path"));
  return parsed.data.name;
}

/**
 * Adds the dashboard's pages, actions, live stream and assets to `app`.
 *
 * @example
 * ```ts ignore
 * dashboardRoutes(app, deps);
 * ```
 */
export function dashboardRoutes(app: OpenAPIHono, deps: AppDeps): void {
  const { store, registry, clock, jobTtlMs } = deps;
  const actionOptions = (cascade?: "cancel"): JobActionOptions => ({
    now: clock.now(),
    ttlMs: jobTtlMs,
    cancelReason: CANCEL_REASON,
    cascade,
  });
  const notice = (done?: string) => (done ? NOTICES[done] : undefined);
  const htmlPage = async (body: Html) =>
    new Response(String(await body), {
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    });

  app.get("/assets/:file", (c) => {
    const asset = ASSETS[c.req.param("file")];
    if (!asset) return c.json({ error: { code: "not_found", message: "no such asset" } }, 404);
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "no-cache" });
  });

  app.get("/", (c) =>
    htmlPage(page({
      title: "Overview",
      nav: "overview",
      notice: notice(c.req.query("done")),
      body: deps.stats.flush().then(() => overview(store, clock.now(), csrfValue(c))),
    })));

  app.get("/ui/jobs", async (c) => {
    // The filter form sends "" for "any".
    const query = Object.entries(c.req.query()).filter(([, value]) => value !== "");
    const parsed = JobsQuery.safeParse(Object.fromEntries(query));
    if (!parsed.success) throw new InvalidInputError(fieldIssues(parsed.error, "query"));
    const filters = parsed.data;
    const search = jobsSearch(filters);
    if (search.idPrefix && isJobId(search.idPrefix)) {
      const found = await store.jobGet(search.idPrefix);
      if (found) return c.redirect(url(`/ui/jobs/${found.id}`), 303);
    }
    const queues = (await store.queueCounts()).map((q) => q.name).sort();
    const tasks = registry.list().map((t) => t.name).sort();
    return htmlPage(page({
      title: "Jobs",
      nav: "jobs",
      notice: notice(filters.done),
      controls: jobsControls(filters, queues, tasks, csrfValue(c)),
      body: jobsTable(store, search, filters),
    }));
  });

  app.get("/ui/jobs/:id", async (c) => {
    const job = await readJob(store, c.req.param("id"));
    return htmlPage(page({
      title: `Job ${job.id}`,
      nav: "jobs",
      notice: notice(c.req.query("done")),
      body: jobDetail(store, job, csrfValue(c)),
      job: job.id,
    }));
  });

  app.get("/ui/flows/:id", (c) =>
    htmlPage(page({
      title: `Flow ${c.req.param("id")}`,
      nav: "jobs",
      body: flowDetail(store, c.req.param("id")),
    })));

  app.get("/ui/batches/:id", (c) =>
    htmlPage(page({
      title: `Batch ${c.req.param("id")}`,
      nav: "jobs",
      body: batchDetail(store, c.req.param("id")),
    })));

  app.get(
    "/ui/workers",
    () =>
      htmlPage(page({ title: "Workers", nav: "workers", body: workersTable(store, clock.now()) })),
  );

  app.get("/ui/doctor", async () => {
    const report = await runDoctor({ store, clock, logger: deps.logger, repair: false });
    return htmlPage(
      page({ title: "Doctor", nav: "doctor", controls: doctorReport(report), body: "" }),
    );
  });

  scheduleDashboardRoutes(app, deps, htmlPage, notice);

  const scheduleNames = deps.schedules.map((s) => s.name);
  const feed = new LiveFeed(deps, scheduleNames);
  app.get("/ui/events", (c) => feed.stream(c));

  const actions = [["retry", "retried"], ["cancel", "canceled"], ["run-now", "run_now"]] as const;
  for (const [path, done] of actions) {
    app.post(`/ui/jobs/:id/${path}`, async (c) => {
      const action = path === "run-now" ? "run_now" : path;
      const { job } = await applyJobAction(store, c.req.param("id"), action, actionOptions());
      return c.redirect(url(`/ui/jobs/${job!.id}?done=${done}`), 303);
    });
  }

  bulkActionRoutes(app, store, actionOptions, htmlPage);

  app.post("/ui/jobs/:id/delete", async (c) => {
    const id = c.req.param("id");
    const cascade = c.req.query("cascade") === "cancel" ? "cancel" : undefined;
    try {
      await applyJobAction(store, id, "delete", actionOptions(cascade));
    } catch (error) {
      if (!(error instanceof DependantsWaitingError)) throw error;
      return c.redirect(url(`/ui/jobs/${encodeURIComponent(id)}?done=delete_refused`), 303);
    }
    return c.redirect(url(`/ui/jobs?done=${cascade ? "deleted_cascade" : "deleted"}`), 303);
  });

  app.post("/ui/queues/:name/retry-failed", async (c) => {
    await retryFailed(store, { queue: queueName(c.req.param("name")), now: clock.now() });
    return c.redirect(url("/?done=retried_failed"), 303);
  });

  for (const action of ["pause", "resume"] as const) {
    app.post(`/ui/queues/:name/${action}`, async (c) => {
      const queue = queueName(c.req.param("name"));
      await QueuePauses.of(store, clock).set({ queue, paused: action === "pause" });
      return c.redirect(url(`/?done=queue_${action}d`), 303);
    });
  }
}
