/**
 * Job listings, newest first, filtered by state, queue and task, a page at a time. Ids are
 * ULIDs, so each queue's `state:<state>` (or `all`) set, read backwards by member, is a
 * listing by age; the queues' sets are merged. Task filters read the records, and so does
 * a listing of queued jobs: they have no `state:queued` set (keeping one cost every insert
 * and every claim a write), so they are read from `all` and kept by their state. A scan
 * stops after {@linkcode SCAN_BUDGET} jobs and hands back a cursor, as the KV store does.
 *
 * @example
 * ```ts ignore
 * const page = await listJobs(redis, keys, { state: "failed", limit: 20 });
 * ```
 * @module
 */
import type { RedisClient } from "./connection.ts";
import type { Job, JobState } from "../../job.ts";
import type { JobListParams, JobPage } from "../store.ts";
import type { RedisKeys } from "./keys.ts";
import { execPipeline, type JobRef, knownQueues, readJobs } from "./reads.ts";

/** Jobs one listing call reads at most before it returns what it has, with a cursor. */
const SCAN_BUDGET = 5_000;
/** Ids taken from each queue's set per round. */
const ROUND = 200;

/** Up to `count` refs with ids below `below` (exclusive; none: from the newest), newest first. */
async function newestRefs(
  redis: RedisClient,
  keys: RedisKeys,
  queues: string[],
  state: JobState | undefined,
  below: string | undefined,
  count: number,
): Promise<JobRef[]> {
  const pipeline = redis.pipeline();
  for (const queue of queues) {
    const max = below ? `(${below}` : "+";
    pipeline.zrevrangebylex(keys.listing(queue, state), max, "-", "LIMIT", 0, count);
  }
  const replies = await execPipeline(pipeline) as string[][];
  const refs = replies.flatMap((ids, q) => ids.map((id) => ({ queue: queues[q], id })));
  // Each queue gave its newest `count`: the newest `count` of them all are exact.
  return refs.sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, count);
}

/** One page of jobs matching `params`. The cursor is the last id scanned. */
export async function listJobs(
  redis: RedisClient,
  keys: RedisKeys,
  params: JobListParams,
): Promise<JobPage> {
  const { queue, task, state, limit, cursor } = params;
  // Queued jobs are read from `all` and kept by their state, as a task filter keeps them.
  const set = state === "queued" ? undefined : state;
  const filtered = task !== undefined || state === "queued";
  const queues = queue ? [queue] : await knownQueues(redis, keys);
  const jobs: Job[] = [];
  let scanned = 0;
  let lastId = cursor;
  while (jobs.length < limit && scanned < SCAN_BUDGET && queues.length > 0) {
    const want = filtered ? Math.min(ROUND, SCAN_BUDGET - scanned) : limit - jobs.length;
    const refs = await newestRefs(redis, keys, queues, set, lastId, want);
    const records = await readJobs(redis, keys, refs);
    let i = 0;
    for (; i < refs.length && jobs.length < limit; i++) {
      scanned++;
      lastId = refs[i].id;
      const record = records[i];
      if (
        record && (!task || record.task === task) && (state !== "queued" || record.state === state)
      ) {
        jobs.push(record);
      }
    }
    // The sets ran out and every id of this round was looked at: there is no next page.
    if (refs.length < want && i === refs.length) return { jobs };
  }
  const full = jobs.length === limit || scanned >= SCAN_BUDGET;
  return full && lastId ? { jobs, nextCursor: lastId } : { jobs };
}
