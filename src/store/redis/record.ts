/**
 * A job as a Redis hash. The fields scripts read or change (state, version, attempts, the
 * index times, the worker, the task its statistics are counted under) are hash fields of their own; everything else is one JSON
 * string in `d`. So a claim is a few `HSET`s in Lua and never parses user data, which Lua's
 * JSON would not give back unchanged (empty arrays, long numbers).
 *
 * @example
 * ```ts
 * import { decodeJob, encodeJob } from "./record.ts";
 * import { createJob } from "../../transitions.ts";
 * const job = createJob({ id: "a", task: "t", input: { n: 1 } }, 5);
 * const fields = encodeJob(job);
 * const hash = Object.fromEntries(fields.flatMap((v, i) => i % 2 ? [] : [[v, fields[i + 1]]]));
 * console.assert(decodeJob(hash)?.runAt === 5);
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import { jsonBytes } from "../json_bytes.ts";

const NUMBER_FIELDS = [
  "version",
  "attempts",
  "priority",
  "runAt",
  "startedAt",
  "leaseExpiresAt",
  "expiresAt",
  "callbackDueAt",
] as const;
const STRING_FIELDS = ["state", "workerId", "task", "batchId", "waitEvent", "waitKey"] as const;
const HASH_FIELDS = [...NUMBER_FIELDS, ...STRING_FIELDS];
const IN_HASH = new Set<string>(HASH_FIELDS);

/** A record as flat `field, value` pairs for `HSET`. */
export function encodeJob(job: Job): string[] {
  const fields = job as unknown as Record<string, unknown>;
  const pairs: string[] = [];
  for (const field of HASH_FIELDS) {
    if (fields[field] !== undefined) pairs.push(field, String(fields[field]));
  }
  // Built key by key rather than by copying the job and deleting from the copy, which
  // turns the copy into a slow dictionary object: this runs for every job written.
  const rest: Record<string, unknown> = {};
  for (const key in fields) if (!IN_HASH.has(key)) rest[key] = fields[key];
  pairs.push("d", JSON.stringify(rest));
  return pairs;
}

/**
 * What turns the stored hash of `before` into that of `after`: the hash fields set (with
 * `d`, always) and the names of those removed.
 *
 * @example
 * ```ts
 * import { encodeChanges } from "./record.ts";
 * import { createJob } from "../../transitions.ts";
 * const job = { ...createJob({ id: "a", task: "t", input: {} }, 5), batchId: "b" };
 * const { set, removed } = encodeChanges(job, { ...job, version: 2, batchId: undefined });
 * console.assert(set[0] === "version" && removed.join() === "batchId");
 * ```
 */
export function encodeChanges(before: Job, after: Job): { set: string[]; removed: string[] } {
  const old = before as unknown as Record<string, unknown>;
  const fields = after as unknown as Record<string, unknown>;
  const set: string[] = [];
  const removed: string[] = [];
  for (const field of HASH_FIELDS) {
    const value = fields[field];
    if (value === undefined) {
      if (old[field] !== undefined) removed.push(field);
    } else if (value !== old[field]) set.push(field, String(value));
  }
  const rest: Record<string, unknown> = {};
  for (const key in fields) if (!IN_HASH.has(key)) rest[key] = fields[key];
  set.push("d", JSON.stringify(rest));
  return { set, removed };
}

/** A record from its hash (as `HGETALL` gives it); null for a missing one. */
export function decodeJob(hash: Record<string, string>): Job | null {
  if (hash.d === undefined) return null;
  const job = JSON.parse(hash.d);
  for (const field of NUMBER_FIELDS) {
    if (hash[field] !== undefined) job[field] = Number(hash[field]);
  }
  for (const field of STRING_FIELDS) {
    if (hash[field] !== undefined) job[field] = hash[field];
  }
  return job as Job;
}

/** A flat `[field, value, …]` reply (Lua's `HGETALL`) as an object. */
export function pairsToHash(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
  return hash;
}

/** A job's size as UTF-8 JSON: what `maxJobBytes` limits. */
export function jobBytes(job: Job): number {
  return jsonBytes(job);
}
