/**
 * The Redis store's batch counts (`../batches.ts`): per queue, the hash
 * `{prefix:queue}:batch:<id>` (state → count), summed by the scripts that move jobs
 * (`batchCount` in `scripts/indexes.lua.ts`), added up across the batch's queues when read.
 * The batches' records are keyed records (`src/batches/batch_records.ts`).
 *
 * @example
 * ```ts ignore
 * const counts = await batchCountsRead(redis, keys, { id, queues: ["default"] });
 * ```
 * @module
 */
import type { JobState } from "../../job.ts";
import { type BatchCounts, emptyBatchCounts } from "../batches.ts";
import type { RedisClient } from "./connection.ts";
import type { RedisKeys } from "./keys.ts";
import { execPipeline } from "./reads.ts";

/**
 * The counts of batch `id`'s jobs per state, summed over its `queues`.
 *
 * @example
 * ```ts ignore
 * const { queued } = await batchCountsRead(redis, keys, { id, queues });
 * ```
 */
export async function batchCountsRead(
  redis: RedisClient,
  keys: RedisKeys,
  { id, queues }: { id: string; queues: string[] },
): Promise<BatchCounts> {
  const pipeline = redis.pipeline();
  for (const queue of queues) pipeline.hgetall(keys.batchCounts(queue, id));
  const hashes = await execPipeline(pipeline) as Record<string, string>[];
  const counts = emptyBatchCounts();
  for (const hash of hashes) {
    for (const [state, n] of Object.entries(hash)) counts[state as JobState] += Number(n);
  }
  return counts;
}
