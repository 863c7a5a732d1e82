/**
 * The schedules page (`/ui/schedules`): every recurring job with its cron expression, task,
 * next run, last run and the job it made (with that job's state), paused or not, and
 * buttons to pause, resume or trigger it now.
 *
 * @example
 * ```ts ignore
 * const body = await schedulesTable(store, schedules, clock.now(), csrf);
 * ```
 * @module
 */
import { html } from "hono/html";
import type { Schedule } from "../../scheduler/schedule.ts";
import { type ScheduleStatus, scheduleStatuses } from "../../scheduler/schedule_status.ts";
import type { Store } from "../../store/store.ts";
import { type Html, postButton, time } from "./layout.ts";
import { url } from "../base_path.ts";

const at = (iso: string | null) => time(iso === null ? null : Date.parse(iso));

function row(s: ScheduleStatus, csrf: string | undefined): Html {
  const path = url(`/ui/schedules/${encodeURIComponent(s.name)}`);
  return html`
    <tr>
      <th scope="row">${s.name}${s.description
        ? html`<div class="muted">${s.description}</div>`
        : ""}</th>
      <td><code>${s.cron}</code>${s.timezone === "UTC"
        ? ""
        : html`<div class="muted">${s.timezone}</div>`}</td>
      <td>${s.task}</td>
      <td>${s.paused
        ? html`<span class="badge state-paused">paused</span>`
        : at(s.next_run_at)}</td>
      <td>${at(s.last_run_at)}</td>
      <td>${s.last_job_id
        ? html`
          <a href="${url(`/ui/jobs/${s.last_job_id}`)}"><code>${s.last_job_id}</code></a>
          <span class="badge state-${s.last_job_status ?? "gone"}">${s.last_job_status ??
            "deleted"}</span>
        `
        : "–"}</td>
      <td>
        <div class="actions">${s.paused
          ? postButton(`${path}/resume`, "Resume", csrf)
          : postButton(`${path}/pause`, "Pause", csrf)}${postButton(
            `${path}/trigger`,
            "Trigger now",
            csrf,
          )}</div>
      </td>
    </tr>
  `;
}

/**
 * The schedules' live region as of `now`.
 *
 * @example
 * ```ts ignore
 * const body = await schedulesTable(store, schedules, clock.now());
 * ```
 */
export async function schedulesTable(
  store: Store,
  schedules: Schedule[],
  now: number,
  csrf?: string,
): Promise<Html> {
  if (schedules.length === 0) {
    return html`<p class="muted">No schedules: define them in <code>tasks/schedules.ts</code>.</p>`;
  }
  const statuses = await scheduleStatuses({ store, schedules, now });
  return html`
    <table class="schedules">
      <thead>
        <tr>
          <th>name</th>
          <th>cron</th>
          <th>task</th>
          <th>next run</th>
          <th>last run</th>
          <th>last job</th>
          <th></th>
        </tr>
      </thead>
      <tbody>${statuses.map((s) => row(s, csrf))}</tbody>
    </table>
  `;
}
