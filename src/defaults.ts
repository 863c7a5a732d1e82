/**
 * The defaults of the worker and retention options, one table for `new Worker()`, `tq
 * worker`, `tq start`, `tq serve`'s maintenance and the commands that end jobs by hand
 * (`tq jobs cancel`, `tq doctor --repair`). A job's own defaults are `JOB_DEFAULTS`
 * (`src/transitions/create.ts`); where the store is, `src/store_options.ts`.
 *
 * @example
 * ```ts
 * import { WORKER_DEFAULTS } from "./defaults.ts";
 * console.assert(WORKER_DEFAULTS.leaseMs === 30_000);
 * ```
 * @module
 */

const HOUR_MS = 3_600_000;

/** What a worker runs with when an option is left out. */
export const WORKER_DEFAULTS = {
  /** Most handlers running at once. */
  concurrency: 10,
  /** How long a claim lasts without a heartbeat. */
  leaseMs: 30_000,
  /**
   * How long stopping lets running jobs finish before releasing them: under the 30 s a
   * container platform usually waits before it kills the process.
   */
  shutdownTimeoutMs: 25_000,
  /** How long finished jobs are kept. */
  resultTtlMs: 24 * HOUR_MS,
  /** How long failed and canceled jobs are kept. */
  failureTtlMs: 7 * 24 * HOUR_MS,
} as const;
