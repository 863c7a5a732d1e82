/**
 * What stores keep for observing tq rather than for running it: the worker registry, the
 * lines handlers write with `ctx.log()`, and the job statistics every transition sums (see
 * `src/metrics/stat_deltas.ts`). Methods using these types are in the store contract.
 *
 * @example
 * ```ts
 * import type { WorkerRecord } from "./telemetry.ts";
 * const online = (workers: WorkerRecord[]) => workers.reduce((n, w) => n + w.concurrency, 0);
 * ```
 * @module
 */

/** A worker process as its last heartbeat described it. */
export interface WorkerRecord {
  /** `hostname:pid:random`, as written into the jobs it runs. */
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  /** Queues in the order it serves them. */
  queues: string[];
  /** Ids of the jobs it holds (at most {@linkcode MAX_LISTED_RUNNING}). */
  runningJobIds: string[];
  /** How many jobs it holds, which may exceed the listed ids. */
  running: number;
  /** Epoch ms. */
  startedAt: number;
  lastHeartbeatAt: number;
  /** After this, without a new beat, the worker counts as gone. */
  expiresAt: number;
}

/** Most running job ids a worker record lists. */
export const MAX_LISTED_RUNNING = 100;

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
