/**
 * The job table's Retry / Cancel / Delete buttons for the selected jobs: a form post to
 * `/ui/jobs/actions` with `action` and one `ids` field per checked row. Retry and cancel
 * answer with a page listing what happened to each job; delete first answers with a page
 * that asks to confirm (and offers to cancel the jobs waiting for them), whose button posts
 * again with `confirm=yes`. All of it works without JavaScript; the changes are
 * `applyJobActionMany`'s, as `POST /jobs/actions` makes them.
 *
 * @example
 * ```ts ignore
 * bulkActionRoutes(app, store, actionOptions, htmlPage);
 * ```
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { html } from "hono/html";
import { z } from "zod";
import { InvalidInputError } from "../../errors.ts";
import {
  applyJobActionMany,
  checkActionIds,
  countOutcomes,
  type JobActionOptions,
  type JobActionOutcome,
} from "../../job_actions.ts";
import type { Store } from "../../store/store.ts";
import { csrfValue } from "../auth/cookies.ts";
import { url } from "../base_path.ts";
import { requestIssues } from "../errors.ts";
import { csrfField, type Html, page } from "./layout.ts";

/** The form's fields; anything else is refused, naming it. */
const BulkForm = z.strictObject({
  action: z.enum(["retry", "cancel", "delete"]),
  ids: z.array(z.string().max(64)),
  cascade: z.enum(["cancel"]).optional(),
  confirm: z.enum(["yes"]).optional(),
  _csrf: z.string().optional(),
});

type BulkRequest = z.output<typeof BulkForm>;

const VERBS = { retry: "Retry", cancel: "Cancel", delete: "Delete" } as const;

async function readForm(request: Request): Promise<BulkRequest> {
  const form = await request.formData();
  const fields: Record<string, unknown> = { ids: [] };
  for (const key of new Set(form.keys())) {
    fields[key] = key === "ids" ? form.getAll(key) : form.get(key);
  }
  const parsed = BulkForm.safeParse(fields);
  if (!parsed.success) throw new InvalidInputError(requestIssues(parsed.error, "form"));
  checkActionIds(parsed.data.ids);
  return parsed.data;
}

function jobLink(id: string): Html {
  return html`<a href="${url(`/ui/jobs/${id}`)}"><code>${id}</code></a>`;
}

function confirmDelete({ ids }: BulkRequest, csrf: string | undefined): Html {
  return html`
    <p>Delete ${ids.length} job(s)? This cannot be undone.</p>
    <form method="post" action="${url("/ui/jobs/actions")}" id="confirm-delete">
      ${csrfField(csrf)}<input type="hidden" name="action" value="delete">
      <input type="hidden" name="confirm" value="yes">
      ${ids.map((id) => html`<input type="hidden" name="ids" value="${id}">`)}
      <p><label><input type="checkbox" name="cascade" value="cancel"> Also cancel the jobs that
        wait for them (without this, a job others wait for is not deleted)</label></p>
      <p class="actions"><button class="danger">Delete ${ids.length} job(s)</button>
        <a href="${url("/ui/jobs")}">Back to the jobs</a></p>
    </form>
    <ul>${ids.map((id) => html`<li>${jobLink(id)}</li>`)}</ul>
  `;
}

function outcomeRow(outcome: JobActionOutcome): Html {
  const detail = outcome.outcome !== "done"
    ? outcome.error.message
    : outcome.job
    ? `now ${outcome.job.state}`
    : `deleted${outcome.canceled.length ? `; canceled ${outcome.canceled.join(", ")}` : ""}`;
  // Deleted or never found: there is no page to link to.
  const gone = outcome.outcome === "not_found" || (outcome.outcome === "done" && !outcome.job);
  const link = gone ? html`<code>${outcome.id}</code>` : jobLink(outcome.id);
  return html`
    <tr data-outcome="${outcome.outcome}">
      <td>${link}</td>
      <td><span class="badge outcome-${outcome.outcome}">${outcome.outcome.replace(
        "_",
        " ",
      )}</span></td>
      <td>${detail}</td>
    </tr>
  `;
}

function outcomes(action: BulkRequest["action"], results: JobActionOutcome[]): Html {
  const counts = countOutcomes(results);
  const summary = Object.entries(counts).filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${n} ${outcome.replace("_", " ")}`).join(", ");
  return html`
    <p class="notice" role="status" id="bulk-summary">${VERBS[action]}: ${summary}.</p>
    <table class="outcomes">
      <thead>
        <tr>
          <th>job</th>
          <th>outcome</th>
          <th>detail</th>
        </tr>
      </thead>
      <tbody>${results.map(outcomeRow)}</tbody>
    </table>
    <p><a href="${url("/ui/jobs")}">Back to the jobs</a></p>
  `;
}

/**
 * Adds `POST /ui/jobs/actions` to `app`; `options` gives the actions' time and reasons,
 * `respond` turns a page into a response.
 *
 * @example
 * ```ts ignore
 * bulkActionRoutes(app, store, (cascade) => ({ now, ttlMs, cancelReason, cascade }), htmlPage);
 * ```
 */
export function bulkActionRoutes(
  app: OpenAPIHono,
  store: Store,
  options: (cascade?: "cancel") => JobActionOptions,
  respond: (page: Html) => Promise<Response>,
): void {
  app.post("/ui/jobs/actions", async (c) => {
    const request = await readForm(c.req.raw);
    const { action, ids } = request;
    const title = `${VERBS[action]} ${ids.length} job(s)`;
    if (action === "delete" && request.confirm !== "yes") {
      return respond(
        page({ title, nav: "jobs", body: confirmDelete(request, csrfValue(c)), live: false }),
      );
    }
    const results = await applyJobActionMany(store, ids, action, options(request.cascade));
    return respond(page({ title, nav: "jobs", body: outcomes(action, results), live: false }));
  });
}
