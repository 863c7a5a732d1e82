/**
 * A flow's page (`/ui/flows/{id}`): its status, its DAG drawn as SVG with each node
 * coloured by its job's state (`flow_graph.ts`), and a table of the nodes with their jobs,
 * times and cancel reasons. Live like every page: a node's state change moves the counts
 * the SSE stream watches.
 *
 * @example
 * ```ts ignore
 * const body = await flowDetail(store, flowId);
 * ```
 * @module
 */
import { html } from "hono/html";
import { TqError } from "../../errors.ts";
import type { Store } from "../../store/store.ts";
import { flowStatus } from "../../flows/flow_status.ts";
import { flowGraph, type FlowNode } from "./flow_graph.ts";
import { type Html, time } from "./layout.ts";
import { url } from "../base_path.ts";

/**
 * The flow's live region; a `flow_not_found` error (404) for an id that is not a flow.
 *
 * @example
 * ```ts ignore
 * const body = await flowDetail(store, "01JD0000000000000000000000");
 * ```
 */
export async function flowDetail(store: Store, id: string): Promise<Html> {
  const head = await store.jobGet(id).catch(() => null);
  const map = head?.flow?.id === id ? head.flow.nodes : undefined;
  if (!map) throw new TqError("flow_not_found", `no flow with id "${id}"`, { flow_id: id });
  const names = Object.keys(map);
  const jobs = await store.jobGetMany(names.map((name) => map[name]));
  const nameOf = new Map(names.map((name) => [map[name], name]));
  const nodes: FlowNode[] = names.map((name, i) => ({
    name,
    jobId: map[name],
    state: jobs[i]?.state ?? null,
    parents: (jobs[i]?.dependsOn ?? []).map((parent) => nameOf.get(parent) ?? parent),
  }));
  const status = flowStatus(jobs);
  const rows = nodes.map((node, i) => {
    const job = jobs[i];
    return html`
      <tr>
        <th scope="row">${node.name}</th>
        <td><a href="${url(`/ui/jobs/${node.jobId}`)}"><code>${node.jobId}</code></a></td>
        <td><span class="badge state-${node.state ?? "pruned"}">${node.state ??
          "pruned"}</span></td>
        <td>${job?.task ?? "–"}</td>
        <td>${node.parents.join(", ") || "–"}</td>
        <td>${time(job?.startedAt)}</td>
        <td>${time(job?.endedAt)}</td>
        <td>${job?.cancelReason ?? ""}</td>
      </tr>
    `;
  });
  return html`
    <p><span class="badge state-${status}" id="flow-status">${status}</span> ${nodes
      .length} nodes</p>
    <figure class="chart flow">${flowGraph(nodes)}</figure>
    <h2>Nodes</h2>
    <table class="nodes">
      <thead>
        <tr>
          <th>node</th>
          <th>job</th>
          <th>status</th>
          <th>task</th>
          <th>after</th>
          <th>started</th>
          <th>ended</th>
          <th>cancel reason</th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
  `;
}
