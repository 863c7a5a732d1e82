/**
 * The Prometheus text exposition format (version 0.0.4): metric families in, text out.
 * Written here rather than taken from a client library because tq's values are not kept
 * in process memory: they are read from the store on each scrape (see `collect.ts`), and
 * histograms arrive as stored bucket counts, which the usual clients cannot be given.
 *
 * @example
 * ```ts
 * import { exposition } from "./exposition.ts";
 * const text = exposition([{
 *   name: "tq_workers",
 *   help: "Workers online.",
 *   type: "gauge",
 *   samples: [{ labels: {}, value: 2 }],
 * }]);
 * console.assert(text.includes("tq_workers 2"));
 * ```
 * @module
 */

/** One line's labels and value; `suffix` is appended to the family name (`_bucket`, …). */
export interface Sample {
  suffix?: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: every sample of one name. */
export interface MetricFamily {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  samples: Sample[];
}

/** The content type of the format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const escapeLabel = (value: string) =>
  value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");

const escapeHelp = (value: string) => value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function formatLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

/**
 * The families as exposition text, each with its `# HELP` and `# TYPE` lines.
 *
 * @example
 * ```ts
 * import { exposition } from "./exposition.ts";
 * const text = exposition([{ name: "x_total", help: "X.", type: "counter", samples: [] }]);
 * console.assert(text.startsWith("# HELP x_total X."));
 * ```
 */
export function exposition(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const name = family.name + (sample.suffix ?? "");
      lines.push(`${name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  return lines.join("\n") + "\n";
}
