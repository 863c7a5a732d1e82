/**
 * Per-job options a producer may set on top of the task's defaults.
 *
 * @example
 * ```ts
 * import type { EnqueueOptions } from "./enqueue_options.ts";
 * const urgent: EnqueueOptions = { queue: "urgent", priority: -10, delay: 5_000 };
 * ```
 * @module
 */

import type { DebounceOptions } from "../guards/debounce.ts";

/** Options of one enqueue; unset fields come from the task, then from tq's defaults. */
export interface EnqueueOptions {
  queue?: string;
  /** Lower runs first. */
  priority?: number;
  /** Run no sooner than this many ms from now. */
  delay?: number;
  /** Run no sooner than this time (epoch ms or a `Date`). */
  runAt?: number | Date;
  maxAttempts?: number;
  /**
   * Expiry: a job not started within this many ms from now never runs; it ends `canceled`
   * with `cancel_reason: "expired"`. Not with `expiresAt`.
   */
  expiresIn?: number;
  /** Expiry as a time (epoch ms or a `Date`): see `expiresIn`. */
  expiresAt?: number | Date;
  /** Per-attempt time limit in ms. */
  timeout?: number;
  /** Ids of jobs that must finish first; the job waits `deferred` until they have. */
  dependsOn?: string[];
  /**
   * Enqueue at most once per key: a repeat within `idempotencyTtl` returns the first job
   * instead of creating another (see `src/guards/idempotency.ts`).
   */
  idempotencyKey?: string;
  /** How long the key holds, in ms (24 h). */
  idempotencyTtl?: number;
  /**
   * An ordered group: jobs with the same key run one at a time, in enqueue order, across
   * every worker (see `src/guards/group.ts`). Not with `dependsOn` or `idempotencyKey`.
   */
  group?: string;
  /**
   * Per-key concurrency: at most `concurrencyLimit` jobs with this key are queued or running
   * at once, across every worker; the others wait their turn (see
   * `src/guards/concurrency.ts`). Overrides the task's `concurrency.key`. Not with `group`,
   * `dependsOn`, `idempotencyKey` or `debounce`.
   */
  concurrencyKey?: string;
  /** The key's limit (1-50); required with `concurrencyKey` unless the task sets one. */
  concurrencyLimit?: number;
  /**
   * Debounce: the job waits `waitMs`; another enqueue of the task with the same `key` while
   * it has not started replaces its input and pushes its start back to `waitMs` from then
   * (never past `maxWaitMs` after the first), and gets the same job (see
   * `src/guards/debounce.ts`). Not with a start time, expiry, `dependsOn`, `idempotencyKey`,
   * `group` or `concurrencyKey`.
   */
  debounce?: DebounceOptions;
  /**
   * An http(s) URL that gets a POST of the final job JSON once the job has finished,
   * failed or been canceled, retried with backoff; at least once (see `src/callbacks/`).
   */
  callbackUrl?: string;
  /**
   * Your own transaction to write the job in (PostgreSQL store only): the `tx` of
   * postgres.js' `sql.begin(async (tx) => …)` on tq's database. Rolled back, no job;
   * committed, the job exists and idle workers wake. Another store throws
   * `TransactionUnsupportedError`. Not with `idempotencyKey`.
   */
  transaction?: unknown;
}
