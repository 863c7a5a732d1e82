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
const STRING_FIELDS = ["state", "workerId", "task", "batchId"] as const;

/** A record as flat `field, value` pairs for `HSET`. */
export function encodeJob(job: Job): string[] {
  const rest: Record<string, unknown> = { ...job };
  const pairs: string[] = [];
  for (const field of [...NUMBER_FIELDS, ...STRING_FIELDS]) {
    if (rest[field] !== undefined) pairs.push(field, String(rest[field]));
    delete rest[field];
  }
  pairs.push("d", JSON.stringify(rest));
  return pairs;
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
