/**
 * The lines handlers write with `ctx.log()`, kept as keyed records (`../store/records.ts`)
 * in space `log` under `<jobId>/<seq>`: a job's lines list in `seq` order with one prefix
 * read, whatever the store. Each line expires {@linkcode LOG_EXPIRE_MS} after it was written
 * (a day past the default retention) and is deleted with its job (`job_changes.ts`, the
 * pruner) before that.
 *
 * @example
 * ```ts ignore
 * await jobLogAppend(store, [{ jobId, seq: "01J", at: Date.now(), attempt: 1, message: "hi" }]);
 * console.log(await jobLogList(store, { jobId, limit: 10 }));
 * ```
 * @module
 */
import type { RecordAddress } from "../store/records.ts";
import type { Store } from "../store/store.ts";

/** A line a handler wrote with `ctx.log()`, kept with its job. */
export interface JobLogLine {
  jobId: string;
  /** Sortable within the job (time, then a per-process counter): lines list in this order. */
  seq: string;
  /** Epoch ms. */
  at: number;
  attempt: number;
  message: string;
  fields?: Record<string, unknown>;
  workerId?: string;
}

/** The record space of log lines. */
export const LOG_SPACE = "log";
/** Log lines outlive any default retention (7 days) by a day; they go with their job too. */
export const LOG_EXPIRE_MS = 8 * 24 * 3_600_000;
/** Lines per commit: well within a KV commit's 1,000 mutations and 800 KB. */
const LINES_PER_COMMIT = 100;

/** The store primitives job log lines are kept with. */
export type LogStore = Pick<Store, "recordCommit" | "recordList">;

/**
 * The address of one line: the job id, a slash (which no job id holds), then `seq`.
 *
 * @example
 * ```ts
 * import { logLineAddress } from "./job_log.ts";
 * console.assert(logLineAddress("01J", "7").key === "01J/7");
 * ```
 */
export function logLineAddress(jobId: string, seq: string): RecordAddress {
  return { space: LOG_SPACE, key: `${jobId}/${seq}` };
}

/**
 * Keeps `lines` (of any jobs), a hundred per write.
 *
 * @example
 * ```ts ignore
 * await jobLogAppend(store, lines);
 * ```
 */
export async function jobLogAppend(store: LogStore, lines: JobLogLine[]): Promise<void> {
  for (let i = 0; i < lines.length; i += LINES_PER_COMMIT) {
    const puts = lines.slice(i, i + LINES_PER_COMMIT).map((line) => ({
      ...logLineAddress(line.jobId, line.seq),
      value: line,
      ttlMs: LOG_EXPIRE_MS,
    }));
    await store.recordCommit({ puts });
  }
}

/**
 * A job's kept lines in `seq` order, at most `limit`.
 *
 * @example
 * ```ts ignore
 * const lines = await jobLogList(store, { jobId: "01J", limit: 200 });
 * ```
 */
export async function jobLogList(
  store: LogStore,
  { jobId, limit }: { jobId: string; limit: number },
): Promise<JobLogLine[]> {
  if (limit <= 0) return [];
  const records = await store.recordList({ space: LOG_SPACE, prefix: `${jobId}/`, limit });
  return records.map((record) => record.value as JobLogLine);
}

/**
 * Deletes a deleted job's lines, a hundred per write.
 *
 * @example
 * ```ts ignore
 * if (await store.jobDelete({ job })) await jobLogDelete(store, job.id);
 * ```
 */
export async function jobLogDelete(store: LogStore, jobId: string): Promise<void> {
  for (;;) {
    const records = await store.recordList({
      space: LOG_SPACE,
      prefix: `${jobId}/`,
      limit: LINES_PER_COMMIT,
    });
    if (records.length === 0) return;
    await store.recordCommit({
      deletes: records.map((record) => ({ space: LOG_SPACE, key: record.key })),
    });
    if (records.length < LINES_PER_COMMIT) return;
  }
}
