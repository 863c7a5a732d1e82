/**
 * A job's page (`/ui/jobs/{id}`): status, progress and timestamps, the worker that ran it,
 * its flow or batch, input, result, every failed attempt with its error and stack, the
 * lines its handler logged, and the actions its state allows.
 *
 * @example
 * ```ts ignore
 * const body = await jobDetail(store, job);
 * ```
 * @module
 */
import { html } from "hono/html";
import { isTerminal, type Job } from "../../job.ts";
import type { Store } from "../../store/store.ts";
import { jobLogList } from "../../job_log/job_log.ts";
import { duration, type Html, postButton, pretty, time } from "./layout.ts";
import { url } from "../base_path.ts";
import { stepTimeline } from "./step_timeline.ts";

/** Lines of a job's log shown. */
const LOG_LINES = 500;

/** What `ctx.progress()` last reported: a bar for a percentage, else the object. */
function progress(job: Job): Html | string {
  if (job.progress === undefined) return "";
  if (typeof job.progress === "number") {
    return html`<p><progress id="job-progress" max="100" value="${job.progress}">${job.progress}%</progress> ${job.progress}%</p>`;
  }
  return html`<p>progress <code id="job-progress">${JSON.stringify(job.progress)}</code></p>`;
}

function actions(job: Job, csrf?: string): Html {
  const button = (action: string, label: string, cls = "") =>
    postButton(url(`/ui/jobs/${job.id}/${action}`), label, csrf, cls);
  return html`<div class="actions">${
    job.state === "failed" || job.state === "canceled" ? button("retry", "Retry") : ""
  }${job.state === "scheduled" ? button("run-now", "Run now") : ""}${
    ["queued", "scheduled", "started", "waiting"].includes(job.state) && !job.cancelRequested
      ? button("cancel", "Cancel", "danger")
      : ""
  }${job.state !== "started" ? deleteControl(job, csrf) : ""}</div>`;
}

/**
 * Delete, or for a job others may wait for (not ended, with dependants) a confirm that
 * offers to cancel them with it: deleting it alone would be refused.
 */
function deleteControl(job: Job, csrf?: string): Html {
  const action = url(`/ui/jobs/${job.id}/delete`);
  const waiting = !isTerminal(job.state) && (job.dependants?.length ?? 0) > 0;
  if (!waiting) return postButton(action, "Delete", csrf, "danger");
  return html`<details class="confirm" id="delete-confirm"><summary>Delete…</summary>
<p>${job.dependants!.length} job(s) depend on this one or follow it in its group; they
would wait forever. Delete it and cancel them (cancel reason: parent ${job.id} deleted)?</p>
${postButton(`${action}?cascade=cancel`, "Delete and cancel its dependants", csrf, "danger")}
</details>`;
}

/**
 * The job's live region.
 *
 * @example
 * ```ts ignore
 * const body = await jobDetail(store, await store.jobGet(id));
 * ```
 */
export async function jobDetail(store: Store, job: Job, csrf?: string): Promise<Html> {
  const lines = await jobLogList(store, { jobId: job.id, limit: LOG_LINES });
  const ran = job.startedAt && job.endedAt ? duration(job.endedAt - job.startedAt) : "–";
  const errors = job.errors.toReversed().map((e) =>
    html`
      <details class="attempt" ${e === job.errors.at(-1)
        ? html`
          open
        `
        : ""}>
      <summary>Attempt ${e.attempt} at ${time(e.at)}: <strong>${e.name}</strong>: ${e
        .message}${e.workerId
        ? html`
          <span class="muted">on ${e.workerId}</span>
        `
        : ""}</summary>
      ${e.stack ? html`<pre class="stack">${e.stack}</pre>` : ""}
      </details>
    `
  );
  const logRows = lines.map((l) =>
    html`
      <tr>
        <td>${time(l.at)}</td>
        <td class="num">${l.attempt}</td>
        <td>${l.message}</td>
        <td><code>${l.fields ? JSON.stringify(l.fields) : ""}</code></td>
      </tr>
    `
  );
  return html`<p><span class="badge state-${job.state}" id="job-state">${job.state}</span>${
    job.cancelRequested
      ? html`
        <span class="badge">cancel requested</span>
      `
      : ""
  }${
    job.cancelReason === "expired"
      ? html`
        <span class="badge" id="job-expired">expired</span>
      `
      : ""
  }</p>
${progress(job)}
${actions(job, csrf)}
<dl class="facts">
<dt>task</dt><dd>${job.task}</dd>
<dt>queue</dt><dd><a href="${
    url(`/ui/jobs?queue=${encodeURIComponent(job.queue)}`)
  }">${job.queue}</a></dd>
${
    job.flow
      ? html`
        <dt>flow</dt>
        <dd><a href="${url(`/ui/flows/${job.flow.id}`)}">${job.flow.id}</a> (node ${job.flow
          .node})</dd>
      `
      : ""
  }${
    job.batchId
      ? html`
        <dt>batch</dt>
        <dd><a href="${url(`/ui/batches/${job.batchId}`)}">${job.batchId}</a></dd>
      `
      : ""
  }
<dt>priority</dt><dd>${job.priority}</dd>
<dt>attempts</dt><dd>${job.attempts} of ${job.maxAttempts}</dd>
<dt>worker</dt><dd>${job.workerId ?? "–"}</dd>
<dt>created</dt><dd>${time(job.createdAt)}</dd>
<dt>run at</dt><dd>${time(job.runAt)}</dd>
<dt>started</dt><dd>${time(job.startedAt)}</dd>
<dt>ended</dt><dd>${time(job.endedAt)} (ran ${ran})</dd>
<dt>lease until</dt><dd>${time(job.leaseExpiresAt)}</dd>
<dt>kept until</dt><dd>${time(job.expiresAt)}</dd>
${
    job.startBy !== undefined
      ? html`
        <dt>expires</dt>
        <dd>${time(job.startBy)} (if not started by then)</dd>
      `
      : ""
  }${
    job.deferrals
      ? html`
        <dt>deferrals</dt>
        <dd>${job.deferrals} (put back without using an attempt)</dd>
      `
      : ""
  }
${
    job.cancelReason
      ? html`
        <dt>cancel reason</dt>
        <dd>${job.cancelReason}</dd>
      `
      : ""
  }
</dl>
${stepTimeline(job)}
<h2>Input</h2>
<pre class="json">${pretty(job.input)}</pre>
<h2>Result</h2>
<pre class="json">${job.state === "finished" ? pretty(job.result) : "–"}</pre>
<h2>Errors</h2>
${errors.length === 0 ? html`<p class="muted">No failed attempt.</p>` : errors}
<h2>Log</h2>
${
    logRows.length === 0
      ? html`<p class="muted">The handler logged nothing (ctx.log()).</p>`
      : html`
        <table class="log">
          <thead>
            <tr>
              <th>at</th>
              <th class="num">attempt</th>
              <th>message</th>
              <th>fields</th>
            </tr>
          </thead>
          <tbody>${logRows}</tbody>
        </table>
      `
  }`;
}
