/**
 * Plain-text tables for people at a terminal.
 *
 * @example
 * ```ts
 * import { table } from "./table.ts";
 * console.log(table(["NAME", "QUEUED"], [["default", "3"]]));
 * ```
 * @module
 */

/** Columns padded to their widest cell, separated by two spaces. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((r) => r[i].length))
  );
  return [headers, ...rows]
    .map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd())
    .join("\n");
}
