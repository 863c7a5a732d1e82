/**
 * The Redis store's batch counts (`../batches.ts`): per queue, the hash
 * `{prefix:queue}:batch:<id>` (state → count), summed by the scripts that move jobs
 * (`batchCount` in `scripts/indexes.lua.ts`), added up across the batch's queues when read.
 * The batches' records are keyed records (`src/batches/batch_records.ts`); when one is
 * written with a time to live (a completed batch), its count hashes get the same
 * ({@linkcode batchCountsExpire}), so they go with it (`HINCRBY` keeps a key's expiry).
 *
 * @example
 * ```ts ignore
 * const counts = await batchCountsRead(redis, keys, { id, queues: ["default"] });
 * ```
 * @module
 */
import type { JobState } from "../../job.ts";
import { BATCH_SPACE, type BatchCounts, type BatchRecord, emptyBatchCounts } from "../batches.ts";
import type { RecordWrite } from "../records.ts";
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

/**
 * Gives the count hashes of each batch record among `puts` written with a time to live the
 * same time to live, after the record's commit (a crash in between leaves them kept, as
 * before).
 *
 * @example
 * ```ts ignore
 * await batchCountsExpire(redis, keys, [{ space: "batch", key: id, value, ttlMs: 604_800_000 }]);
 * ```
 */
export async function batchCountsExpire(
  redis: RedisClient,
  keys: RedisKeys,
  puts: readonly RecordWrite[],
): Promise<void> {
  const expiring = puts.filter((put) => put.space === BATCH_SPACE && put.ttlMs !== undefined);
  if (expiring.length === 0) return;
  const pipeline = redis.pipeline();
  for (const { key: id, value, ttlMs } of expiring) {
    for (const queue of (value as BatchRecord).queues) {
      pipeline.pexpire(keys.batchCounts(queue, id), Math.max(1, Math.ceil(ttlMs!)));
    }
  }
  await execPipeline(pipeline);
}
