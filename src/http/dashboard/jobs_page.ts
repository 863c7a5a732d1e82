/**
 * The job table (`/ui/jobs`): filtered by status, queue and task, newest first, a page at
 * a time; a search by id goes straight to the job's page.
 *
 * @example
 * ```ts ignore
 * const { controls, body } = await jobsPage(store, { status: "failed" });
 * ```
 * @module
 */
import { html } from "hono/html";
import { z } from "zod";
import { type Job, JOB_STATES, lastError } from "../../job.ts";
import type { Store } from "../../store/store.ts";
import { type Html, time } from "./layout.ts";
import { url } from "../base_path.ts";

/** The table's query; bad values are refused with a 422 naming the field. */
export const JobsQuery = z.strictObject({
  status: z.enum(JOB_STATES).optional(),
  queue: z.string().max(64).optional(),
  task: z.string().max(200).optional(),
  id: z.string().max(64).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.string().regex(/^\d+$/, "expected an integer").transform(Number)
    .pipe(z.int().min(1).max(200)).optional(),
});

/** Parsed filters of the table. */
export type JobsFilters = z.output<typeof JobsQuery>;

const PAGE = 50;

function link(filters: JobsFilters, cursor?: string): string {
  const params = new URLSearchParams();
  for (const key of ["status", "queue", "task"] as const) {
    if (filters[key]) params.set(key, filters[key]!);
  }
  if (filters.limit) params.set("limit", String(filters.limit));
  if (cursor) params.set("cursor", cursor);
  const query = params.toString();
  return url(`/ui/jobs${query ? `?${query}` : ""}`);
}

function row(job: Job): Html {
  const error = lastError(job);
  return html`
    <tr>
      <td><a href="${url(`/ui/jobs/${job.id}`)}"><code>${job.id}</code></a></td>
      <td><span class="badge state-${job.state}">${job.state}</span>${job.cancelReason === "expired"
        ? html`
          <span class="badge">expired</span>
        `
        : ""}</td>
      <td>${job.task}</td>
      <td>${job.queue}</td>
      <td class="num">${job.attempts}/${job.maxAttempts}</td>
      <td>${time(job.createdAt)}</td>
      <td class="error-cell">${error ? `${error.name}: ${error.message}` : ""}</td>
    </tr>
  `;
}

/** The filter form (outside the live region, so typing is never interrupted). */
export function jobsControls(filters: JobsFilters, queues: string[], tasks: string[]): Html {
  const option = (value: string, selected?: string) =>
    html`
      <option value="${value}" ${value === selected
        ? html`
          selected
        `
        : ""}>${value}</option>
    `;
  return html`
    <form class="filters" method="get" action="${url("/ui/jobs")}">
      <label>Status <select name="status"><option value="">any</option>${JOB_STATES.map((s) =>
        option(s, filters.status)
      )}</select></label>
      <label>Queue <select name="queue"><option value="">any</option>${queues.map((q) =>
        option(q, filters.queue)
      )}</select></label>
      <label>Task <select name="task"><option value="">any</option>${tasks.map((t) =>
        option(t, filters.task)
      )}</select></label>
      <button>Filter</button>
    </form>
    <form class="filters" method="get"
      action="${url(
        "/ui/jobs",
      )}"><label>Job id <input name="id" size="28" placeholder="01K…" value="${filters
        .id ?? ""}"></label><button>Find</button></form>
  `;
}

/** One page of the table. */
export async function jobsTable(store: Store, filters: JobsFilters): Promise<Html> {
  const page = await store.jobList({
    state: filters.status,
    queue: filters.queue,
    task: filters.task,
    limit: filters.limit ?? PAGE,
    cursor: filters.cursor,
  });
  if (page.jobs.length === 0) return html`<p class="muted">No jobs match.</p>`;
  return html`
    <table class="jobs">
      <thead>
        <tr>
          <th>id</th>
          <th>status</th>
          <th>task</th>
          <th>queue</th>
          <th class="num">attempts</th>
          <th>created</th>
          <th>last error</th>
        </tr>
      </thead>
      <tbody>${page.jobs.map(row)}</tbody>
    </table>
    <nav class="pager">${filters.cursor
      ? html`<a href="${link(filters)}">First page</a>`
      : ""} ${page.nextCursor
      ? html`<a rel="next" href="${link(filters, page.nextCursor)}">Next page</a>`
      : ""}</nav>
  `;
}
