/**
 * A value's size as UTF-8 JSON: how both stores measure a job against `maxJobBytes`. It
 * runs up to three times per enqueued job (producer, group commit, store), so the usual
 * all-ASCII text is measured by its length, without encoding a copy of it.
 *
 * @example
 * ```ts
 * import { jsonBytes } from "./json_bytes.ts";
 * console.assert(jsonBytes({ a: "é" }) === 10);
 * ```
 * @module
 */

const encoder = new TextEncoder();
// JSON.stringify escapes every character below 0x20, so its output is ASCII when it
// holds nothing above 0x7f.
const ASCII = /^[\x20-\x7f]*$/;

/** The byte length of `JSON.stringify(value)` in UTF-8. */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return ASCII.test(text) ? text.length : encoder.encode(text).length;
}
