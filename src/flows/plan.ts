/**
 * A flow: a whole DAG of jobs enqueued in one request, all or nothing. `planFlow`
 * validates every node first (task, input and options, the node names it depends on,
 * cycles), reporting each problem with its path (`nodes.encode.input.video_id`), then
 * builds the records in dependency order, linked by job id; the store inserts them in one
 * commit. The flow's id is the id of its first job, whose record also keeps the node map.
 *
 * @example
 * ```ts ignore
 * const jobs = planFlow(producer, store, { nodes: {
 *   encode: { task: "encode_video", input: { video_id: 7 } },
 *   thumbnails: { task: "generate_thumbnails", input: { video_id: 7 }, depends_on: ["encode"] },
 * } });
 * await store.jobInsertMany({ jobs });
 * ```
 * @module
 */
import { type FieldIssue, InvalidInputError, TqError, UnknownTaskError } from "../errors.ts";
import type { Job } from "../job.ts";
import type { Producer } from "../producer.ts";
import type { EnqueueRequest } from "../registry/default_producer.ts";
import type { Store } from "../store/store.ts";

/** The most nodes in one flow: it must fit one store commit. */
export const MAX_FLOW_NODES = 100;

/** One node as the producer API takes it: an enqueue request naming its parent nodes. */
export type FlowNode = Omit<EnqueueRequest, "dependsOn"> & { dependsOn?: string[] };

/** A flow to enqueue: nodes by name. */
export interface FlowSpec {
  nodes: Record<string, FlowNode>;
}

/**
 * The node names in an order where parents come first; a cycle is an issue on the
 * `depends_on` of a node on it, and unknown names are issues on their index.
 */
function order(nodes: Record<string, FlowNode>): { order: string[]; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  for (const [name, node] of Object.entries(nodes)) {
    (node.dependsOn ?? []).forEach((parent, i) => {
      const path = `nodes.${name}.depends_on[${i}]`;
      if (!Object.hasOwn(nodes, parent)) issues.push({ path, message: `no node "${parent}"` });
      else if (parent === name) issues.push({ path, message: "a node cannot depend on itself" });
      else if (node.dependsOn!.indexOf(parent) !== i) {
        issues.push({ path, message: `"${parent}" is listed twice` });
      }
    });
  }
  if (issues.length > 0) return { order: [], issues };
  const sorted: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(name)), name].join(" → ");
      issues.push({ path: `nodes.${name}.depends_on`, message: `cycle: ${cycle}` });
      return;
    }
    state.set(name, "visiting");
    for (const parent of nodes[name].dependsOn ?? []) visit(parent, [...trail, name]);
    state.set(name, "done");
    sorted.push(name);
  };
  for (const name of Object.keys(nodes)) {
    visit(name, []);
    if (issues.length > 0) break;
  }
  return { order: sorted, issues };
}

/**
 * Validates a flow and builds its job records, parents first; throws `InvalidInputError`
 * listing every problem, or a 413 when it has more than {@linkcode MAX_FLOW_NODES} nodes.
 */
export function planFlow(
  producer: Producer,
  store: Pick<Store, "maxInsertBatch" | "maxJobBytes" | "jobBytes">,
  spec: FlowSpec,
): Job[] {
  const names = Object.keys(spec.nodes);
  const max = Math.min(MAX_FLOW_NODES, store.maxInsertBatch);
  if (names.length > max) {
    throw new TqError(
      "payload_too_large",
      `a flow has ${names.length} nodes; the limit is ${max} (one store commit)`,
      { limit: "flow_nodes", max },
    );
  }
  if (names.length === 0) {
    throw new InvalidInputError([{ path: "nodes", message: "a flow needs at least one node" }]);
  }
  const issues: FieldIssue[] = [];
  // Each node's own checks first, with placeholder parents: every problem in one answer.
  for (const name of names) {
    const { dependsOn: _, ...request } = spec.nodes[name];
    try {
      producer.prepare(request);
    } catch (error) {
      if (error instanceof InvalidInputError) {
        issues.push(...error.issues.map((i) => ({ ...i, path: `nodes.${name}.${i.path}` })));
      } else if (error instanceof UnknownTaskError) {
        issues.push({ path: `nodes.${name}.task`, message: error.message });
      } else throw error;
    }
  }
  const sorted = order(spec.nodes);
  issues.push(...sorted.issues);
  if (issues.length > 0) throw new InvalidInputError(issues);
  const ids = new Map<string, string>();
  const jobs = sorted.order.map((name) => {
    const node = spec.nodes[name];
    const dependsOn = node.dependsOn?.length ? node.dependsOn.map((p) => ids.get(p)!) : undefined;
    const job = producer.prepare({ ...node, dependsOn });
    ids.set(name, job.id);
    return job;
  });
  const flowId = jobs[0].id;
  jobs.forEach((job, i) => job.flow = { id: flowId, node: sorted.order[i] });
  jobs[0].flow!.nodes = Object.fromEntries(ids);
  const bytes = store.jobBytes(jobs[0]);
  if (bytes > store.maxJobBytes) {
    throw new TqError(
      "payload_too_large",
      `the flow's first job with the node map is ${bytes} bytes; the limit is ` +
        `${store.maxJobBytes}`,
      { limit: "job_bytes", max: store.maxJobBytes },
    );
  }
  return jobs;
}
