/**
 * What stores keep for observing tq rather than for running it: the lines handlers write
 * with `ctx.log()`, and the job statistics every transition sums (see
 * `src/metrics/stat_deltas.ts`). Methods using these types are in the store contract.
 *
 * @example
 * ```ts
 * import type { StatEntry } from "./telemetry.ts";
 * const total = (stats: StatEntry[]) => stats.reduce((n, s) => n + s.value, 0);
 * ```
 * @module
 */

/** A line a handler wrote with `ctx.log()`, kept with its job. */
export interface JobLogLine {
  jobId: string;
  /** Sortable within the job (time, then a per-process counter): lines list in this order. */
  seq: string;
  /** Epoch ms. */
  at: number;
  attempt: number;
  message: string;
  fields?: Record<string, unknown>;
  workerId?: string;
}

/**
 * Where a statistic is summed, e.g. `["jobs", "finished", queue, task]`; the layout is
 * `stat_deltas.ts`'s. Stores treat keys as opaque tuples of strings and integers.
 */
export type StatKey = readonly (string | number)[];

/** One statistic's change, or its current sum. */
export interface StatEntry {
  key: StatKey;
  value: number;
}
