/**
 * Batched reads under KV's limits (10 keys per `getMany`), shared by the store's writes and
 * queries.
 *
 * @example
 * ```ts ignore
 * const [record] = await getRecords(kv, ["01J..."]);
 * if (record) console.log(record.job.state, record.stamp);
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import { jobKey } from "./keys.ts";
import { jsonBytes } from "../json_bytes.ts";

/** KV answers at most 10 keys per `getMany`. */
const KEYS_PER_GET = 10;

/** A job as read, with the versionstamp a later commit checks. */
export interface StoredJob {
  job: Job;
  stamp: string;
}

/** The records of `ids`, in order, null where missing; reads run in parallel. */
export async function getRecords(kv: Deno.Kv, ids: string[]): Promise<(StoredJob | null)[]> {
  const batches: Promise<Deno.KvEntryMaybe<Job>[]>[] = [];
  for (let i = 0; i < ids.length; i += KEYS_PER_GET) {
    batches.push(kv.getMany<Job[]>(ids.slice(i, i + KEYS_PER_GET).map(jobKey)));
  }
  return (await Promise.all(batches)).flat().map((entry) =>
    entry.versionstamp === null ? null : { job: entry.value, stamp: entry.versionstamp }
  );
}

/** Up to `limit` keys of a selector, in key order. */
export async function listKeys(
  kv: Deno.Kv,
  selector: Deno.KvListSelector,
  limit: number,
): Promise<Deno.KvKey[]> {
  const keys: Deno.KvKey[] = [];
  for await (const entry of kv.list(selector, { limit, batchSize: Math.min(limit, 500) })) {
    keys.push(entry.key);
  }
  return keys;
}

/**
 * A job's size as its UTF-8 JSON, which is at least V8's serialized size for the same
 * data (V8 stores strings in one or two bytes per character): a safe measure for limits.
 */
export function byteLength(job: Job): number {
  return jsonBytes(job);
}
