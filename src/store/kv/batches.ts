/**
 * The KV store's batch counts (`../batches.ts`): `["batch_count", id, state]` counters that
 * `WriteBatch.change` sums in each job commit. The batches' records are keyed records
 * (`src/batches/batch_records.ts`).
 *
 * @example
 * ```ts ignore
 * const counts = await batchCountsRead(kv, id);
 * ```
 * @module
 */
import type { JobState } from "../../job.ts";
import { type BatchCounts, emptyBatchCounts } from "../batches.ts";

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
