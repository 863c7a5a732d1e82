/**
 * The KV store's batch counts (`../batches.ts`): `["batch_count", id, state]` counters that
 * `WriteBatch.change` sums in each job commit. The batches' records are keyed records
 * (`src/batches/batch_records.ts`); when one is written with a time to live (a completed
 * batch), its counters get the same in that commit ({@linkcode batchCountsExpire}), so they
 * go with it. A counter summed after that (a job of the completed batch retried by hand)
 * is kept: KV's `sum` drops an entry's expiry.
 *
 * @example
 * ```ts ignore
 * const counts = await batchCountsRead(kv, id);
 * ```
 * @module
 */
import type { JobState } from "../../job.ts";
import { BATCH_SPACE, type BatchCounts, emptyBatchCounts } from "../batches.ts";
import type { RecordWrite } from "../records.ts";
import type { WriteBatch } from "./write_batch.ts";

/**
 * The counter of batch `id`'s jobs in `state`.
 *
 * @example
 * ```ts
 * import { batchCountKey } from "./batches.ts";
 * console.assert(batchCountKey("b", "queued").join() === "batch_count,b,queued");
 * ```
 */
export const batchCountKey = (id: string, state: JobState): Deno.KvKey => [
  "batch_count",
  id,
  state,
];

/**
 * The counts of batch `id`'s jobs per state, zero where there is no counter.
 *
 * @example
 * ```ts ignore
 * const { queued } = await batchCountsRead(kv, id);
 * ```
 */
export async function batchCountsRead(kv: Deno.Kv, id: string): Promise<BatchCounts> {
  const counts = emptyBatchCounts();
  for await (const entry of kv.list<Deno.KvU64>({ prefix: ["batch_count", id] })) {
    counts[entry.key[2] as JobState] = Number(BigInt.asIntN(64, entry.value.value));
  }
  return counts;
}

/**
 * Adds to `batch` the expiry of the counters of each batch record among `puts` written with
 * a time to live: each counter set again to its value as read, with the record's
 * `expireIn`, and checked, so a job that moves meanwhile fails the commit (it is tried
 * again) rather than losing its count.
 *
 * @example
 * ```ts ignore
 * await batchCountsExpire(kv, batch, [{ space: "batch", key: id, value, ttlMs: 604_800_000 }]);
 * ```
 */
export async function batchCountsExpire(
  kv: Deno.Kv,
  batch: WriteBatch,
  puts: readonly RecordWrite[],
): Promise<void> {
  for (const { space, key: id, ttlMs } of puts) {
    if (space !== BATCH_SPACE || ttlMs === undefined) continue;
    for await (const entry of kv.list<Deno.KvU64>({ prefix: ["batch_count", id] })) {
      batch.check(entry.key, entry.versionstamp)
        .set(entry.key, entry.value, { expireIn: Math.max(1, ttlMs) });
    }
  }
}
