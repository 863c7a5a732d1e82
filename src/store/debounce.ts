/**
 * What stores keep for debounced enqueues (`src/guards/debounce.ts`): one record per task
 * and debounce key naming the job waiting for it and when the first request of the burst
 * came. Reading it, deciding with `debounceWrite` and writing the job with it are one
 * atomic write, so concurrent producers join one job.
 *
 * @example
 * ```ts
 * import type { DebouncedInsertResult } from "./debounce.ts";
 * const joined = (r: DebouncedInsertResult) => !r.created;
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import type { DebounceOptions } from "../guards/debounce.ts";

/** Parameters of `jobInsertDebounced`. */
export interface DebouncedInsertParams {
  /** The job to insert (from `Producer.prepare`); its `createdAt` is "now". */
  job: Job;
  /** The request's debounce options; the key counts per task (`job.task`). */
  debounce: DebounceOptions;
}

/** The job the request landed in, and whether this call created it. */
export interface DebouncedInsertResult {
  job: Job;
  /** False when the request joined a waiting job (its input and start are now this one's). */
  created: boolean;
}

/** The record behind a task's debounce key. */
export interface DebounceRecord {
  /** The job waiting for the key. */
  jobId: string;
  /** When the first request of the burst came (epoch ms): `max_wait_ms` counts from it. */
  firstAt: number;
}
