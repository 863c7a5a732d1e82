/**
 * The workers page (`/ui/workers`): every worker whose heartbeat has not expired, with
 * its host, pid, concurrency, queues, running jobs and last heartbeat.
 *
 * @example
 * ```ts ignore
 * const body = await workersTable(store, Date.now());
 * ```
 * @module
 */
import { html } from "hono/html";
import type { Store } from "../../store/store.ts";
import { duration, type Html } from "./layout.ts";
import { url } from "../base_path.ts";
import { workerList } from "../../presence/worker_registry.ts";

/**
 * The workers' live region.
 *
 * @example
 * ```ts ignore
 * const body = await workersTable(store, clock.now());
 * ```
 */
export async function workersTable(store: Store, now: number): Promise<Html> {
  const workers = await workerList(store, { now });
  if (workers.length === 0) {
    return html`<p class="muted">No worker online. Start one with <code>tq worker</code>.</p>`;
  }
  const rows = workers.map((w) =>
    html`
      <tr>
        <td><code>${w.id}</code></td>
        <td>${w.host}</td>
        <td class="num">${w.pid}</td>
        <td class="num">${w.running}/${w.concurrency}</td>
        <td>${w.queues.join(", ")}</td>
        <td>${w.runningJobIds.map((id) =>
          html`
            <a href="${url(`/ui/jobs/${id}`)}"><code>${id}</code></a>
          `
        )}</td>
        <td>${duration(Math.max(0, now - w.lastHeartbeatAt))} ago</td>
        <td>${duration(Math.max(0, now - w.startedAt))}</td>
      </tr>
    `
  );
  return html`
    <table class="workers">
      <thead>
        <tr>
          <th>id</th>
          <th>host</th>
          <th class="num">pid</th>
          <th class="num">running</th>
          <th>queues</th>
          <th>jobs</th>
          <th>last heartbeat</th>
          <th>up</th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
  `;
}
