/**
 * The KV store's debounce keys (`../debounce.ts`): `["debounce", task, key]` holds a
 * `DebounceRecord`, kept `ttlMs` as `debounceWrite` says. An enqueue reads it and its job,
 * and commits the job with the new record, checked against both versionstamps read
 * (`null`: absent), so of concurrent requests each commits in turn and the later ones find
 * the job the first wrote.
 *
 * @example
 * ```ts ignore
 * const { job, created } = await insertDebounced(kv, { job, debounce: { key: "user:1", waitMs: 500 } });
 * ```
 * @module
 */
import { StoreUnavailableError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import { debounceWrite } from "../../guards/debounce.ts";
import type { DebouncedInsertParams, DebouncedInsertResult, DebounceRecord } from "../debounce.ts";
import { jobKey } from "./keys.ts";
import { WriteBatch } from "./write_batch.ts";

/** Reads and retries a contended key this many times. */
const ATTEMPTS = 20;

/** Inserts `job` or joins the job waiting for its debounce key; see `Store.jobInsertDebounced`. */
export async function insertDebounced(
  kv: Deno.Kv,
  { job, debounce }: DebouncedInsertParams,
): Promise<DebouncedInsertResult> {
  const key: Deno.KvKey = ["debounce", job.task, debounce.key];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const entry = await kv.get<DebounceRecord>(key);
    const held = entry.value
      ? await kv.get<Job>(jobKey(entry.value.jobId))
      : { value: null, versionstamp: null };
    const write = debounceWrite({ job, record: entry.value, held: held.value, ...debounce });
    const batch = new WriteBatch(kv).check(key, entry.versionstamp);
    if (write.before) batch.check(jobKey(write.before.id), held.versionstamp);
    const { ok } = await batch.change(write.before, write.after)
      .set(key, write.record, { expireIn: write.ttlMs })
      .commit();
    if (ok) return { job: write.after, created: write.before === null };
  }
  throw new StoreUnavailableError(`debounce key "${debounce.key}" kept changing; try again`);
}
