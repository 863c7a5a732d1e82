/**
 * A flow's DAG as server-rendered SVG: one column per depth (a node sits one column right
 * of its deepest parent), nodes ordered in their column by where their parents are (fewer
 * crossings), edges as curves from parent to child. Each node links to its job and is
 * coloured by the job's state through CSS classes (`node state-…`); nothing inline.
 *
 * @example
 * ```ts
 * import { flowGraph } from "./flow_graph.ts";
 * const svg = String(await flowGraph([
 *   { name: "encode", jobId: "01A", state: "finished", parents: [] },
 *   { name: "thumbs", jobId: "01B", state: "started", parents: ["encode"] },
 * ]));
 * console.assert(svg.includes('class="node state-started"'));
 * ```
 * @module
 */
import { html } from "hono/html";
import type { JobState } from "../../job.ts";
import type { Html } from "./layout.ts";
import { url } from "../base_path.ts";

/** One node of a flow: its name, job, the job's state (null once pruned), parent names. */
export interface FlowNode {
  name: string;
  jobId: string;
  state: JobState | null;
  parents: string[];
}

const W = 168;
const H = 44;
const GAP_X = 56;
const GAP_Y = 18;
const PAD = 8;
const MAX_LABEL = 22;

/** Each node's column: 0 for roots, else one more than its deepest parent. */
function depths(nodes: FlowNode[]): Map<string, number> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const depth = new Map<string, number>();
  const visit = (name: string, path: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const node = byName.get(name);
    if (!node || path.has(name)) return -1; // unknown parent, or a cycle in bad data
    path.add(name);
    const d = 1 + Math.max(-1, ...node.parents.map((p) => visit(p, path)));
    path.delete(name);
    depth.set(name, d);
    return d;
  };
  nodes.forEach((n) => visit(n.name, new Set()));
  return depth;
}

/** Columns of node names, each ordered by the mean row of its nodes' parents, then name. */
function columns(nodes: FlowNode[]): string[][] {
  const depth = depths(nodes);
  const cols: FlowNode[][] = [];
  for (const node of nodes) (cols[depth.get(node.name)!] ??= []).push(node);
  const row = new Map<string, number>();
  return cols.map((col) => {
    const rank = (n: FlowNode) => {
      const rows = n.parents.flatMap((p) => row.has(p) ? [row.get(p)!] : []);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : -1;
    };
    const sorted = col.toSorted((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    sorted.forEach((n, i) => row.set(n.name, i));
    return sorted.map((n) => n.name);
  });
}

const label = (name: string) => name.length > MAX_LABEL ? `${name.slice(0, MAX_LABEL - 1)}…` : name;

/**
 * The flow's graph as an `<svg>`.
 *
 * @example
 * ```ts
 * import { flowGraph } from "./flow_graph.ts";
 * await flowGraph([{ name: "only", jobId: "01A", state: "queued", parents: [] }]);
 * ```
 */
export function flowGraph(nodes: FlowNode[]): Html {
  const cols = columns(nodes);
  const tallest = Math.max(1, ...cols.map((c) => c.length));
  const width = PAD * 2 + cols.length * W + (cols.length - 1) * GAP_X;
  const height = PAD * 2 + tallest * H + (tallest - 1) * GAP_Y;
  const at = new Map<string, { x: number; y: number }>();
  cols.forEach((col, c) => {
    const offset = ((tallest - col.length) * (H + GAP_Y)) / 2;
    col.forEach((name, r) =>
      at.set(name, { x: PAD + c * (W + GAP_X), y: PAD + offset + r * (H + GAP_Y) })
    );
  });
  const edges = nodes.flatMap((node) =>
    node.parents.filter((p) => at.has(p)).map((parent) => {
      const from = at.get(parent)!, to = at.get(node.name)!;
      const [x1, y1, x2, y2] = [from.x + W, from.y + H / 2, to.x - 4, to.y + H / 2];
      const mid = (x1 + x2) / 2;
      return html`
        <path class="edge"
          d="M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}"
          marker-end="url(#arrow)" />
      `;
    })
  );
  const boxes = nodes.map((node) => {
    const { x, y } = at.get(node.name)!;
    const state = node.state ?? "pruned";
    return html`
      <a
        href="${url(`/ui/jobs/${node.jobId}`)}"><g class="node state-${state}"><title>${node
          .name}: ${state}</title><rect x="${x}" y="${y}" width="${W}" height="${H}" rx="6"/><text x="${x +
          10}" y="${y + 18}">${label(node.name)}</text><text class="sub" x="${x + 10}" y="${y +
          35}">${state}</text></g></a>
    `;
  });
  return html`
    <svg class="flow-graph" viewBox="0 0 ${width} ${height}" width="${width}"
      height="${height}" role="img"
      aria-label="The flow's jobs and their dependencies"><defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="8" markerHeight="8" orient="auto"><path d="M0 0 L8 4 L0 8 z"/></marker></defs>${edges}${boxes}</svg>
  `;
}
