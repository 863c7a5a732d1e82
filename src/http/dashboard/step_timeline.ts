/**
 * A job's durable steps on its dashboard page, as a timeline: one row per step in the
 * order the handler reached it, with its state, when it started, how long it took (or
 * until when it sleeps or waits), the attempt that ran it and its result or error.
 *
 * @example
 * ```ts
 * import { stepTimeline } from "./step_timeline.ts";
 * import { createJob } from "../../transitions/mod.ts";
 * console.assert(stepTimeline(createJob({ id: "a", task: "t", input: 1 }, 0)) === "");
 * ```
 * @module
 */
import { html } from "hono/html";
import type { Job, JobStep } from "../../job.ts";
import { duration, type Html, time } from "./layout.ts";

/** Longest result shown in a row; the job's JSON has it whole. */
const MAX_SHOWN = 300;

function outcome(step: JobStep): Html | string {
  if (step.error) return html`<strong>${step.error.name}</strong>: ${step.error.message}`;
  if (step.state === "sleeping") return `sleeps until ${time(step.until)}`;
  if (step.state === "waiting") {
    return `waits for ${step.event}${step.key ? ` (${step.key})` : ""} until ${time(step.until)}`;
  }
  if (step.kind === "sleep") return "";
  const json = JSON.stringify(step.result ?? null);
  return html`<code>${json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN)}…` : json}</code>`;
}

/** The "Steps" section of a job's page; empty for a job without steps. */
export function stepTimeline(job: Job): Html | string {
  const steps = job.steps ?? [];
  if (steps.length === 0) return "";
  const rows = steps.map((step) =>
    html`
      <tr>
        <td>${step.name}</td>
        <td>${step.kind}</td>
        <td><span class="badge state-${step.state}">${step.state}</span></td>
        <td>${time(step.startedAt)}</td>
        <td class="num">${step.finishedAt === undefined
          ? "–"
          : duration(step.finishedAt - step.startedAt)}</td>
        <td class="num">${step.attempt}</td>
        <td>${outcome(step)}</td>
      </tr>
    `
  );
  return html`
    <h2>Steps</h2>
    <table class="steps" id="job-steps">
      <thead>
        <tr>
          <th>step</th>
          <th>kind</th>
          <th>state</th>
          <th>started</th>
          <th class="num">took</th>
          <th class="num">attempt</th>
          <th>result or error</th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
  `;
}
