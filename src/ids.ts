/**
 * Job ids: ULIDs, monotonic within a process, so ids sort in enqueue order and a listing
 * by id is a listing by age.
 *
 * @example
 * ```ts
 * import { newJobId } from "./ids.ts";
 * const [a, b] = [newJobId(), newJobId()];
 * console.assert(a < b);
 * ```
 * @module
 */
import { monotonicFactory } from "ulid";

const ulid = monotonicFactory();

/** A new job id, greater than every id this process made before. */
export function newJobId(now: number = Date.now()): string {
  return ulid(now);
}

const JOB_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Whether a string has the shape of a job id.
 *
 * @example
 * ```ts
 * import { isJobId } from "./ids.ts";
 * console.assert(!isJobId("../etc/passwd"));
 * ```
 */
export function isJobId(value: string): boolean {
  return JOB_ID.test(value);
}
