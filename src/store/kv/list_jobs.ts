/**
 * Job listings, newest first, filtered by state, queue and task, a page at a time. With a
 * state the `["state", state, id]` index is scanned (its values carry queue and task);
 * without one, or for queued jobs (which have no such entry, see `keys.ts`), the records
 * themselves. A scan stops after {@linkcode SCAN_BUDGET} entries and hands back a cursor,
 * so a rare filter never turns into an unbounded read.
 *
 * @example
 * ```ts ignore
 * const page = await listJobs(kv, { state: "failed", limit: 20 });
 * ```
 * @module
 */
import type { Job, JobState } from "../../job.ts";
import type { JobListParams, JobPage } from "../store.ts";
import { getRecords } from "./reads.ts";

/** Entries one listing call reads at most before it returns what it has, with a cursor. */
const SCAN_BUDGET = 5_000;

interface IndexValue {
  queue: string;
  task: string;
  state?: JobState;
}

/** One page of jobs matching `params`. The cursor is the last id scanned. */
export async function listJobs(kv: Deno.Kv, params: JobListParams): Promise<JobPage> {
  const { state, queue, task, limit, cursor } = params;
  const indexed = state !== undefined && state !== "queued";
  const prefix = indexed ? ["state", state] : ["job"];
  const selector = cursor ? { prefix, end: [...prefix, cursor] } : { prefix };
  const matches = (value: IndexValue) =>
    (!queue || value.queue === queue) && (!task || value.task === task) &&
    (indexed || !state || value.state === state);

  const found: string[] = [];
  const jobs: Job[] = [];
  let scanned = 0;
  let lastId: string | undefined;
  const batchSize = indexed ? 500 : 100;
  for await (const entry of kv.list<IndexValue | Job>(selector, { reverse: true, batchSize })) {
    scanned++;
    lastId = entry.key.at(-1) as string;
    if (matches(entry.value)) {
      if (indexed) found.push(lastId);
      else jobs.push(entry.value as Job);
      if (found.length + jobs.length === limit) break;
    }
    if (scanned === SCAN_BUDGET) break;
  }
  if (indexed) {
    const records = await getRecords(kv, found);
    jobs.push(...records.flatMap((record) => record ? [record.job] : []));
  }
  const full = jobs.length === limit || scanned === SCAN_BUDGET;
  return full && lastId ? { jobs, nextCursor: lastId } : { jobs };
}
