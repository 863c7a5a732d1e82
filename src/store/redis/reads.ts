/**
 * Reads shared by the store's queries: records by queue and id (one pipeline), records by
 * id alone (looked for in every queue by one script), and the earliest entries of a time index across every
 * queue, merged.
 *
 * @example
 * ```ts ignore
 * const due = await earliest(redis, keys, "sched", Date.now(), 100);
 * const jobs = await readJobs(redis, keys, due);
 * ```
 * @module
 */
import type { RedisClient } from "./connection.ts";
import type { Job } from "../../job.ts";
import type { RedisKeys } from "./keys.ts";
import type { TimeIndex } from "../time_index.ts";
import { decodeJob } from "./record.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";

/** Where a record lives. */
export interface JobRef {
  queue: string;
  id: string;
}

/** The results of a pipeline, throwing its first error. */
export async function execPipeline(
  pipeline: ReturnType<RedisClient["pipeline"]>,
): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** The records at `refs`, in order, null where missing. */
export async function readJobs(
  redis: RedisClient,
  keys: RedisKeys,
  refs: JobRef[],
): Promise<(Job | null)[]> {
  if (refs.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const { queue, id } of refs) pipeline.hgetall(keys.job(queue, id));
  const hashes = await execPipeline(pipeline) as Record<string, string>[];
  return hashes.map((hash, i) => decodeJob(hash, refs[i]));
}

/** The records of `ids`, in order, null where missing, looked for in every queue. */
export async function locateJobs(
  redis: ScriptedRedis,
  keys: RedisKeys,
  ids: string[],
): Promise<(Job | null)[]> {
  if (ids.length === 0) return [];
  const queues = await redis.tqLocateJobs(keys.queues, ...keys.queueAffixes, ...ids);
  const found = ids.flatMap((id, i) => queues[i] === null ? [] : [{ queue: queues[i]!, id }]);
  const jobs = await readJobs(redis, keys, found);
  const byId = new Map(found.map((ref, i) => [ref.id, jobs[i]]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** Every queue that has held a job, by name. */
export async function knownQueues(redis: RedisClient, keys: RedisKeys): Promise<string[]> {
  return (await redis.smembers(keys.queues)).sort();
}

/** Up to `limit` entries of a time index scored at most `maxScore`, earliest first. */
export async function earliest(
  redis: RedisClient,
  keys: RedisKeys,
  index: TimeIndex,
  maxScore: number | "+inf",
  limit: number,
): Promise<(JobRef & { score: number })[]> {
  const queues = await knownQueues(redis, keys);
  if (queues.length === 0 || limit <= 0) return [];
  const pipeline = redis.pipeline();
  for (const queue of queues) {
    pipeline.zrangebyscore(
      keys.timeIndex(queue, index),
      "-inf",
      maxScore,
      "WITHSCORES",
      "LIMIT",
      0,
      limit,
    );
  }
  const replies = await execPipeline(pipeline) as string[][];
  const entries = replies.flatMap((flat, q) => {
    const found: (JobRef & { score: number })[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      found.push({ queue: queues[q], id: flat[i], score: Number(flat[i + 1]) });
    }
    return found;
  });
  entries.sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return entries.slice(0, limit);
}
