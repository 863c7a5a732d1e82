/**
 * The overview page (`/`): every queue's jobs per state, with links into the job table
 * and a "retry failed" button; jobs finished and failed per minute over the last hour;
 * the workers online.
 *
 * @example
 * ```ts ignore
 * const body = await overview(store, Date.now());
 * ```
 * @module
 */
import { html } from "hono/html";
import { JOB_STATES } from "../../job.ts";
import type { Store } from "../../store/store.ts";
import { perMinute, rateChart } from "./chart.ts";
import { csrfField, type Html } from "./layout.ts";

const HOUR_MS = 3_600_000;

/**
 * The overview's live region as of `now`.
 *
 * @example
 * ```ts ignore
 * const html = await overview(store, clock.now());
 * ```
 */
export async function overview(store: Store, now: number, csrf?: string): Promise<Html> {
  const [counts, stats, workers] = await Promise.all([
    store.queueCounts(),
    store.statsGet({ since: now - HOUR_MS }),
    store.workerList({ now }),
  ]);
  const rows = counts.toSorted((a, b) => a.name.localeCompare(b.name)).map((q) =>
    html`<tr><th scope="row"><a href="/ui/jobs?queue=${
      encodeURIComponent(q.name)
    }">${q.name}</a></th>${
      JOB_STATES.map((state) =>
        html`
          <td
            class="num state-${state}"><a href="/ui/jobs?queue=${encodeURIComponent(
              q.name,
            )}&amp;status=${state}">${q[state]}</a></td>
        `
      )
    }<td>${
      q.failed > 0
        ? html`
          <form method="post"
            action="/ui/queues/${encodeURIComponent(q.name)}/retry-failed">${csrfField(
              csrf,
            )}<button>Retry ${q
              .failed} failed</button></form>
        `
        : ""
    }</td></tr>`
  );
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
            )}<th></th></tr>
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
      <p><a href="/ui/workers"><strong id="workers-online">${workers
        .length}</strong> online</a>, running ${busy} of ${slots} slots.</p>
    </section>
  `;
}
