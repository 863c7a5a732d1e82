/**
 * A batch's page (`/ui/batches/{id}`): how many of its jobs ended, counts per state (as
 * the store sums them in each job's commit), when it was created and completed, and the
 * job its completion enqueued.
 *
 * @example
 * ```ts ignore
 * const body = await batchDetail(store, batchId);
 * ```
 * @module
 */
import { html } from "hono/html";
import { BatchNotFoundError } from "../../errors.ts";
import { isJobId } from "../../ids.ts";
import { isTerminal, JOB_STATES } from "../../job.ts";
import type { Store } from "../../store/store.ts";
import { batchGet } from "../../batches/batch_records.ts";
import { type Html, time } from "./layout.ts";
import { url } from "../base_path.ts";

/**
 * The batch's live region; a `batch_not_found` error (404) for an unknown id.
 *
 * @example
 * ```ts ignore
 * const body = await batchDetail(store, "01JD0000000000000000000000");
 * ```
 */
export async function batchDetail(store: Store, id: string): Promise<Html> {
  const status = isJobId(id) ? await batchGet(store, { id }) : null;
  if (!status) throw new BatchNotFoundError(id);
  const { batch, counts } = status;
  const ended = JOB_STATES.filter(isTerminal).reduce((n, state) => n + counts[state], 0);
  const cells = JOB_STATES.map((state) =>
    html`
      <td class="num state-${state}">${counts[state]}</td>
    `
  );
  return html`
    <p><span class="badge state-${batch.completedAt
      ? "finished"
      : "started"}" id="batch-status">${batch
        .completedAt
      ? "complete"
      : "running"}</span> ${ended} of ${batch.total} jobs ended</p>
    <p><progress id="batch-progress" max="${batch.total}" value="${ended}">${ended} of ${batch
      .total}</progress></p>
    <table class="counts">
      <thead>
        <tr><th class="num">total</th>${JOB_STATES.map((s) => html`<th class="num">${s}</th>`)}</tr>
      </thead>
      <tbody>
        <tr><td class="num">${batch.total}</td>${cells}</tr>
      </tbody>
    </table>
    <dl class="facts">
      <dt>queues</dt>
      <dd>${batch.queues.join(", ")}</dd>
      <dt>created</dt>
      <dd>${time(batch.createdAt)}</dd>
      <dt>completed</dt>
      <dd>${time(batch.completedAt)}</dd>
      <dt>on complete</dt>
      <dd>${batch.onComplete?.task ?? "–"}</dd>
      <dt>completion job</dt>
      <dd>${batch.completionJobId
        ? html`<a href="${
          url(`/ui/jobs/${batch.completionJobId}`)
        }"><code>${batch.completionJobId}</code></a>`
        : "–"}</dd>
    </dl>
  `;
}
