/**
 * The results table: one row per figure, with tq on the KV file, tq on Redis and BullMQ
 * side by side and each tq value's ratio to BullMQ's (tq ÷ BullMQ; the row says whether
 * higher or lower is better), printed as Markdown for docs/benchmarks.md.
 *
 * @example
 * ```ts
 * import { Table } from "./table.ts";
 * const table = new Table();
 * table.add("end to end, jobs/s", "higher", { kv: 5000, redis: 20000, bullmq: 16000 });
 * console.assert(table.markdown().includes("1.25"));
 * ```
 * @module
 */

/** One figure of each peer; a missing one prints as "–". */
export interface Figures {
  kv?: number;
  redis?: number;
  bullmq?: number;
}

interface Row {
  name: string;
  better: "higher" | "lower";
  figures: Figures;
}

/** A figure as the tables print it: whole from 100 up, else three significant digits. */
export const formatFigure = (value: number | undefined) => {
  if (value === undefined || !Number.isFinite(value)) return "–";
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  return value.toPrecision(3).replace(/\.?0+$/, "");
};

const ratio = (tq: number | undefined, bullmq: number | undefined) =>
  tq === undefined || !bullmq ? "–" : `${(tq / bullmq).toFixed(2)}×`;

/**
 * A Markdown table: the first `textColumns` columns left-aligned, the figures after them
 * right-aligned.
 */
export function markdownTable(header: string[], rows: string[][], textColumns = 1): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const align = header.map((_, column) => column < textColumns ? "---" : "---:");
  return [line(header), line(align), ...rows.map(line)].join("\n");
}

/** Rows gathered as the cases run. */
export class Table {
  readonly #rows: Row[] = [];

  /** Adds a row and echoes it on stderr, so a long run shows progress. */
  add(name: string, better: "higher" | "lower", figures: Figures): void {
    this.#rows.push({ name, better, figures });
    const { kv, redis, bullmq } = figures;
    console.error(
      `${name}: KV ${formatFigure(kv)}, Redis ${formatFigure(redis)}, BullMQ ${
        formatFigure(bullmq)
      }`,
    );
  }

  /** The table as Markdown; empty when no case added a row. */
  markdown(): string {
    if (this.#rows.length === 0) return "";
    const header = [
      "figure",
      "better",
      "tq KV",
      "tq Redis",
      "BullMQ",
      "KV ÷ BullMQ",
      "Redis ÷ BullMQ",
    ];
    const rows = this.#rows.map(({ name, better, figures: { kv, redis, bullmq } }) => [
      name,
      better,
      ...[kv, redis, bullmq].map(formatFigure),
      ratio(kv, bullmq),
      ratio(redis, bullmq),
    ]);
    return markdownTable(header, rows, 2);
  }
}
