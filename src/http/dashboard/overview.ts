/**
 * The overview page (`/`): every queue's jobs per state, with links into the job table,
 * its latency (the wait of its oldest ready job), whether it is paused, and buttons to pause or resume it and to retry its failed jobs; jobs
 * finished and failed per minute over the last hour; the workers online.
 *
 * @example
 * ```ts ignore
 * const body = await overview(store, Date.now());
 * ```
 * @module
 */
import { html } from "hono/html";
import { JOB_STATES } from "../../job.ts";
import { queueLatencies } from "../../metrics/queue_latency.ts";
import { readStats } from "../../metrics/stats_read.ts";
import type { QueueCounts, Store } from "../../store/store.ts";
import { perMinute, rateChart } from "./chart.ts";
import { duration, type Html, postButton } from "./layout.ts";
import { url } from "../base_path.ts";
import { workerList } from "../../presence/worker_registry.ts";
import { pausedQueues } from "../../guards/queue_pauses.ts";

const HOUR_MS = 3_600_000;

/** Every queue with jobs, and every paused one (a paused queue may have none yet). */
function queueRows(counts: QueueCounts[], paused: string[]): QueueCounts[] {
  const zero = Object.fromEntries(JOB_STATES.map((state) => [state, 0]));
  const named = new Set(counts.map((q) => q.name));
  const empty = paused.filter((name) => !named.has(name)).map((name) =>
    ({ name, ...zero }) as QueueCounts
  );
  return [...counts, ...empty].toSorted((a, b) => a.name.localeCompare(b.name));
}

/**
 * The overview's live region as of `now`.
 *
 * @example
 * ```ts ignore
 * const html = await overview(store, clock.now());
 * ```
 */
export async function overview(store: Store, now: number, csrf?: string): Promise<Html> {
  const [counts, paused, stats, workers] = await Promise.all([
    store.queueCounts(),
    pausedQueues(store),
    readStats(store, { since: now - HOUR_MS, now }),
    workerList(store, { now }),
  ]);
  const latency = await queueLatencies(store, counts, now);
  const rows = queueRows(counts, paused).map((q) => {
    const path = url(`/ui/queues/${encodeURIComponent(q.name)}`);
    const isPaused = paused.includes(q.name);
    return html`<tr><th scope="row"><a href="${
      url(`/ui/jobs?queue=${encodeURIComponent(q.name)}`)
    }">${q.name}</a>${
      isPaused
        ? html`
          <span class="badge state-paused">paused</span>
        `
        : ""
    }</th>${
      JOB_STATES.map((state) =>
        html`
          <td
            class="num state-${state}"><a href="${url(
              `/ui/jobs?queue=${encodeURIComponent(q.name)}&status=${state}`,
            )}">${q[state]}</a></td>
        `
      )
    }<td class="num latency" title="wait of the oldest ready job">${
      duration(latency.get(q.name) ?? 0)
    }</td><td><div class="actions">${
      isPaused
        ? postButton(`${path}/resume`, "Resume", csrf)
        : postButton(`${path}/pause`, "Pause", csrf)
    }${
      q.failed > 0 ? postButton(`${path}/retry-failed`, `Retry ${q.failed} failed`, csrf) : ""
    }</div></td></tr>`;
  });
  const slots = workers.reduce((n, w) => n + w.concurrency, 0);
  const busy = workers.reduce((n, w) => n + w.running, 0);
  return html`
    <section>
    <h2>Queues</h2>
    ${rows.length === 0
      ? html`<p class="muted">No jobs yet: enqueue one with POST /jobs.</p>`
      : html`
        <table class="counts">
          <thead>
            <tr><th>queue</th>${JOB_STATES.map((s) =>
              html`<th class="num">${s}</th>`
            )}<th class="num">latency</th><th></th></tr>
          </thead>
          <tbody>${rows}</tbody>
        </table>
      `}
    </section>
    <section>
    <h2>Throughput</h2>
    ${rateChart(perMinute(stats, now))}
    </section>
    <section>
      <h2>Workers</h2>
      <p><a href="${url("/ui/workers")}"><strong id="workers-online">${workers
        .length}</strong> online</a>, running ${busy} of ${slots} slots.</p>
    </section>
  `;
}
