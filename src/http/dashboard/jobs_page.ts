/**
 * The job table (`/ui/jobs`): filtered by status, queue and task, newest first, a page at
 * a time. The search box takes an id prefix (a whole id goes straight to the job's page) or
 * `field=value` for a top-level input field, found by the bounded scan of
 * `src/job_search.ts`. Each row has a checkbox for the Retry / Cancel / Delete buttons
 * above the table (`bulk_actions.ts`); the boxes belong to that form through their `form`
 * attribute, so they work without JavaScript and the live refresh keeps the buttons.
 *
 * @example
 * ```ts ignore
 * const controls = jobsControls(filters, queues, tasks, csrf);
 * const body = await jobsTable(store, jobsSearch(filters), filters);
 * ```
 * @module
 */
import { html } from "hono/html";
import { z } from "zod";
import { type Job, JOB_STATES, lastError } from "../../job.ts";
import type { Store } from "../../store/store.ts";
import { InvalidInputError } from "../../errors.ts";
import {
  type JobSearch,
  type JobSearchPage,
  needsScan,
  parseInputFilter,
  searchIssues,
  searchJobs,
} from "../../job_search.ts";
import { csrfField, type Html, time } from "./layout.ts";
import { url } from "../base_path.ts";

/** The table's query; bad values are refused with a 422 naming the field. */
export const JobsQuery = z.strictObject({
  status: z.enum(JOB_STATES).optional(),
  queue: z.string().max(64).optional(),
  task: z.string().max(200).optional(),
  q: z.string().max(200).optional(),
  /** The outcome of an action that redirected here (see `NOTICES` in `mod.ts`). */
  done: z.string().max(64).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.string().regex(/^\d+$/, "expected an integer").transform(Number)
    .pipe(z.int().min(1).max(200)).optional(),
});

/** Parsed filters of the table. */
export type JobsFilters = z.output<typeof JobsQuery>;

const PAGE = 50;

/** Names the form that the rows' checkboxes and the action buttons share. */
const BULK_FORM = "bulk";

function link(filters: JobsFilters, cursor?: string): string {
  const params = new URLSearchParams();
  for (const key of ["status", "queue", "task", "q"] as const) {
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
      <td><input type="checkbox" name="ids" value="${job
        .id}" form="${BULK_FORM}" aria-label="select ${job.id}"></td>
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

/**
 * The filter form, the search box and the action buttons (outside the live region, so
 * typing is never interrupted).
 */
export function jobsControls(
  filters: JobsFilters,
  queues: string[],
  tasks: string[],
  csrf: string | undefined,
): Html {
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
    <form class="filters" method="get" action="${url("/ui/jobs")}" role="search">
      <label>Search <input name="q" size="28" placeholder="01K… or user_id=42" value="${filters
        .q ?? ""}"></label><button>Find</button></form>
    <form class="actions" id="${BULK_FORM}" method="post" action="${url("/ui/jobs/actions")}">
      ${csrfField(csrf)}<span class="muted">Selected jobs:</span>
      <button name="action" value="retry">Retry</button>
      <button name="action" value="cancel">Cancel</button>
      <button name="action" value="delete" class="danger">Delete…</button>
    </form>
  `;
}

/**
 * The listing `filters` ask for: the search box's text as an id prefix or `field=value`,
 * checked up front (an `InvalidInputError` naming `query.q`).
 *
 * @example
 * ```ts
 * import { jobsSearch } from "./jobs_page.ts";
 * console.assert(jobsSearch({ q: "user_id=42" }).input?.user_id === "42");
 * console.assert(jobsSearch({ q: "01k4" }).idPrefix === "01K4");
 * ```
 */
export function jobsSearch(filters: JobsFilters): JobSearch {
  const q = filters.q?.trim();
  const field = q ? parseInputFilter(q) : null;
  const search: JobSearch = {
    state: filters.status,
    queue: filters.queue,
    task: filters.task,
    limit: filters.limit ?? PAGE,
    cursor: filters.cursor,
    idPrefix: q && !field ? q.toUpperCase() : undefined,
    input: field ? { [field[0]]: field[1] } : undefined,
  };
  const issues = searchIssues(search);
  if (issues.length > 0) {
    throw new InvalidInputError(issues.map(({ path, message }) => ({
      path: path === "cursor" ? "query.cursor" : "query.q",
      message: path === "id_prefix"
        ? "neither field=value nor the start of a job id (0-9, A-Z without I, L, O, U)"
        : message,
    })));
  }
  return search;
}

/** Which part of the store a search looked at, and whether its cap stopped it. */
function scanNote({ scanned, capped }: JobSearchPage): Html {
  return html`<p class="muted" id="scan-note">Searched ${scanned} job(s)${
    capped
      ? html`, the most one page examines: more may match further on (Next page continues)`
      : ""
  }.</p>`;
}

/** One page of the table. */
export async function jobsTable(
  store: Store,
  search: JobSearch,
  filters: JobsFilters,
): Promise<Html> {
  const found = needsScan(search) ? await searchJobs(store, search) : undefined;
  const page = found ?? await store.jobList(search);
  const note = found ? scanNote(found) : "";
  if (page.jobs.length === 0) {
    return html`${note}<p class="muted">No jobs match.</p>${pager(filters, page.nextCursor)}`;
  }
  return html`
    ${note}
    <table class="jobs">
      <thead>
        <tr>
          <th><input type="checkbox" id="select-all" hidden aria-label="select all on page"></th>
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
    ${pager(filters, page.nextCursor)}
  `;
}

function pager(filters: JobsFilters, nextCursor: string | undefined): Html {
  return html`<nav class="pager">${
    filters.cursor ? html`<a href="${link(filters)}">First page</a>` : ""
  } ${
    nextCursor ? html`<a rel="next" href="${link(filters, nextCursor)}">Next page</a>` : ""
  }</nav>`;
}
