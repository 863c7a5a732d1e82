/**
 * A job as a Redis hash. The fields scripts read or change (state, version, attempts, the
 * index times, the worker, the task its statistics are counted under) are hash fields of their own; everything else is one JSON
 * string in `d`. So a claim is a few `HSET`s in Lua and never parses user data, which Lua's
 * JSON would not give back unchanged (empty arrays, long numbers).
 *
 * `d` leaves out the id and queue (the key holds them), the fields at their
 * {@linkcode RECORD_DEFAULTS} and `createdAt` when it equals `runAt` (a job enqueued to run
 * now, until a retry moves its `runAt`: `d` is written whole with every change), and a new
 * job's 0 attempts and priority are not written, so a default job's values stay under
 * Redis's `hash-max-listpack-value` (64 bytes) and its hash is one compact listpack rather
 * than a hashtable: under 200 rather than 704 bytes. Records written before, with all of
 * them in `d` and `attempts` always set, decode unchanged (what `d` holds wins over the
 * defaults).
 *
 * @example
 * ```ts
 * import { decodeJob, encodeJob } from "./record.ts";
 * import { createJob } from "../../transitions/mod.ts";
 * const job = createJob({ id: "a", task: "t", input: { n: 1 } }, 5);
 * const fields = encodeJob(job);
 * const hash = Object.fromEntries(fields.flatMap((v, i) => i % 2 ? [] : [[v, fields[i + 1]]]));
 * console.assert(decodeJob(hash, job)?.runAt === 5);
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import { jsonBytes } from "../json_bytes.ts";

/**
 * The values `d` leaves out. They are part of the stored format, apart from the enqueue
 * defaults of `transitions/create.ts`: changing those must not change what old records decode to.
 *
 * @example
 * ```ts
 * import { RECORD_DEFAULTS } from "./record.ts";
 * import { JOB_DEFAULTS } from "../../transitions/mod.ts";
 * console.assert(RECORD_DEFAULTS.timeoutMs === JOB_DEFAULTS.timeoutMs);
 * ```
 */
export const RECORD_DEFAULTS = {
  maxAttempts: 3,
  baseMs: 1_000,
  maxMs: 3_600_000,
  timeoutMs: 300_000,
} as const;

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
/**
 * Hash fields a new record leaves out at 0: the claim scripts count attempts from a missing
 * field and the ready index scores a missing priority 0 (`indexes.lua.ts`).
 */
const UNWRITTEN_ZEROS: Record<string, number> = { attempts: 0, priority: 0 };

/** A record as flat `field, value` pairs for `HSET`. */
export function encodeJob(job: Job): string[] {
  const fields = job as unknown as Record<string, unknown>;
  const pairs: string[] = [];
  for (const field of HASH_FIELDS) {
    const value = fields[field];
    if (value !== undefined && value !== UNWRITTEN_ZEROS[field]) pairs.push(field, String(value));
  }
  pairs.push("d", encodeRest(fields));
  return pairs;
}

/**
 * Appends to `out` what turns the stored hash of `before` into that of `after`, as the
 * update scripts read it: the number of hash fields set (with `d`, always), their
 * field/value pairs, then the number of fields removed and their names. Appended in place
 * rather than returned as arrays to spread: this runs for every job a worker settles.
 *
 * @example
 * ```ts
 * import { pushChanges } from "./record.ts";
 * import { createJob } from "../../transitions/mod.ts";
 * const job = { ...createJob({ id: "a", task: "t", input: {} }, 5), batchId: "b" };
 * const out = pushChanges([], job, { ...job, version: 2, batchId: undefined });
 * console.assert(out[0] === "2" && out[1] === "version" && out.slice(-2).join() === "1,batchId");
 * ```
 */
export function pushChanges(out: string[], before: Job, after: Job): string[] {
  const old = before as unknown as Record<string, unknown>;
  const fields = after as unknown as Record<string, unknown>;
  const countAt = out.push("") - 1;
  let removed = 0;
  for (const field of HASH_FIELDS) {
    const value = fields[field];
    if (value === undefined) {
      if (old[field] !== undefined) removed++;
    } else if (value !== old[field]) out.push(field, String(value));
  }
  out.push("d", encodeRest(fields));
  out[countAt] = String((out.length - countAt - 1) / 2);
  out.push(String(removed));
  if (removed > 0) {
    for (const field of HASH_FIELDS) {
      if (fields[field] === undefined && old[field] !== undefined) out.push(field);
    }
  }
  return out;
}

/** `d`: the fields not in the hash, less the id, queue and those at their defaults. */
function encodeRest(fields: Record<string, unknown>): string {
  // Built key by key rather than by copying the job and deleting from the copy, which
  // turns the copy into a slow dictionary object: this runs for every job written.
  const rest: Record<string, unknown> = {};
  for (const key in fields) {
    if (!IN_HASH.has(key) && !isDefault(key, fields[key], fields.runAt)) rest[key] = fields[key];
  }
  return JSON.stringify(rest);
}

/**
 * Whether `d` can leave `key` out: the key holds it, it is at its record default, or it is
 * `createdAt` and equals `runAt`.
 */
function isDefault(key: string, value: unknown, runAt: unknown): boolean {
  switch (key) {
    case "id":
    case "queue":
      return true;
    case "createdAt":
      return value === runAt;
    case "maxAttempts":
    case "timeoutMs":
      return value === RECORD_DEFAULTS[key];
    case "backoff": {
      const { baseMs, maxMs, ...more } = value as Job["backoff"];
      return baseMs === RECORD_DEFAULTS.baseMs && maxMs === RECORD_DEFAULTS.maxMs &&
        Object.keys(more).length === 0;
    }
    case "errors":
      return Array.isArray(value) && value.length === 0;
    default:
      return false;
  }
}

/**
 * The record at `ref` from its hash (as `HGETALL` gives it); null for a missing one.
 *
 * @example
 * ```ts
 * import { decodeJob } from "./record.ts";
 * const job = decodeJob({ d: "{}", state: "queued", runAt: "5" }, { queue: "q", id: "a" });
 * console.assert(job?.maxAttempts === 3 && job.errors.length === 0 && job.queue === "q");
 * ```
 */
export function decodeJob(
  hash: Record<string, string>,
  ref: { queue: string; id: string },
): Job | null {
  if (hash.d === undefined) return null;
  const { maxAttempts, timeoutMs, baseMs, maxMs } = RECORD_DEFAULTS;
  const job = {
    id: ref.id,
    queue: ref.queue,
    priority: 0,
    attempts: 0,
    maxAttempts,
    backoff: { baseMs, maxMs },
    timeoutMs,
    errors: [],
    ...JSON.parse(hash.d),
  };
  for (const field of NUMBER_FIELDS) {
    if (hash[field] !== undefined) job[field] = Number(hash[field]);
  }
  job.createdAt ??= job.runAt;
  for (const field of STRING_FIELDS) {
    if (hash[field] !== undefined) job[field] = hash[field];
  }
  return job as Job;
}

/**
 * A job a claim script returned (its id and its flat `HGETALL`) from `queue`.
 *
 * @example
 * ```ts
 * import { decodeClaimed } from "./record.ts";
 * const job = decodeClaimed(["a", ["state", "started", "d", "{}"]], "q");
 * console.assert(job.id === "a" && job.state === "started");
 * ```
 */
export function decodeClaimed([id, flat]: [string, string[]], queue: string): Job {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
  return decodeJob(hash, { queue, id })!;
}

/** A job's size as UTF-8 JSON: what `maxJobBytes` limits. */
export function jobBytes(job: Job): number {
  return jsonBytes(job);
}
