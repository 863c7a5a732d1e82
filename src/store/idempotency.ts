/**
 * What stores keep for idempotent enqueues: one record per idempotency key naming the job
 * it created and until when the key holds. The key check and the job's insert are one
 * atomic write, so concurrent repeats of a request create exactly one job.
 *
 * @example
 * ```ts
 * import type { IdempotentInsertResult } from "./idempotency.ts";
 * const status = (r: IdempotentInsertResult) => r.created ? 202 : 200;
 * ```
 * @module
 */
import type { Job } from "../job.ts";

/** Parameters of `jobInsertIdempotent`. */
export interface IdempotentInsertParams {
  /** The job to insert (from `Producer.prepare`); its `createdAt` is "now" for the key. */
  job: Job;
  /** Chosen by the client: repeats carrying it within `ttlMs` get the first job back. */
  key: string;
  /** How long the key holds, from `job.createdAt`. */
  ttlMs: number;
}

/** The job the key stands for, and whether this call created it. */
export interface IdempotentInsertResult {
  job: Job;
  created: boolean;
}

/** The record behind a key: the job it created and when the key stops holding (epoch ms). */
export interface IdempotencyRecord {
  jobId: string;
  expiresAt: number;
}
