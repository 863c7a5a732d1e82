/**
 * Job listings, newest first, filtered by state, queue and task, a page at a time. Ids are
 * ULIDs, so each set of `keys.listings` (a `state:<state>`, or `fifo`, which lists most
 * queued jobs), read backwards by member, is a listing by age; the sets of every state and
 * queue asked for are read in one `MULTI` (a job moving meanwhile is in exactly one) and
 * merged. There is no set of all jobs: it would cost every job another entry. Task filters
 * read the records; such a scan stops after {@linkcode SCAN_BUDGET} jobs and hands back a
 * cursor, as the KV store does.
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
/** Ids taken from each set per round. */
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
  const sets = queues.flatMap((queue) =>
    keys.listings(queue, state).map((key) => ({ queue, key }))
  );
  // One set needs no MULTI: a snapshot of several keeps a job moving between them in one.
  const batch = sets.length > 1 ? redis.multi() : redis.pipeline();
  const max = below ? `(${below}` : "+";
  for (const { key } of sets) batch.zrevrangebylex(key, max, "-", "LIMIT", 0, count);
  const replies = await execPipeline(batch) as string[][];
  const refs = replies.flatMap((ids, s) => ids.map((id) => ({ queue: sets[s].queue, id })));
  // Each set gave its newest `count`: the newest `count` of them all are exact.
  return refs.sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, count);
}

/** One page of jobs matching `params`. The cursor is the last id scanned. */
export async function listJobs(
  redis: RedisClient,
  keys: RedisKeys,
  params: JobListParams,
): Promise<JobPage> {
  const { queue, task, state, limit, cursor } = params;
  const filtered = task !== undefined;
  const queues = queue ? [queue] : await knownQueues(redis, keys);
  const jobs: Job[] = [];
  let scanned = 0;
  let lastId = cursor;
  while (jobs.length < limit && scanned < SCAN_BUDGET && queues.length > 0) {
    const want = filtered ? Math.min(ROUND, SCAN_BUDGET - scanned) : limit - jobs.length;
    const refs = await newestRefs(redis, keys, queues, state, lastId, want);
    const records = await readJobs(redis, keys, refs);
    let i = 0;
    for (; i < refs.length && jobs.length < limit; i++) {
      scanned++;
      lastId = refs[i].id;
      const record = records[i];
      if (record && (!task || record.task === task)) jobs.push(record);
    }
    // The sets ran out and every id of this round was looked at: there is no next page.
    if (refs.length < want && i === refs.length) return { jobs };
  }
  const full = jobs.length === limit || scanned >= SCAN_BUDGET;
  return full && lastId ? { jobs, nextCursor: lastId } : { jobs };
}
