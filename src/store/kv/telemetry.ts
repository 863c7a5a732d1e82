/**
 * The KV store's job log lines and statistics (`../telemetry.ts`).
 *
 * | key | value |
 * | --- | --- |
 * | `["joblog", jobId, seq]` | a `JobLogLine`, set with `expireIn` (and deleted with its job) |
 * | `["stat", ...statKey]` | `Deno.KvU64`, summed by `WriteBatch` in each job commit |
 *
 * @example
 * ```ts ignore
 * const telemetry = new KvTelemetry(kv);
 * console.log(await telemetry.jobLogList({ jobId: "01J", limit: 10 }));
 * ```
 * @module
 */
import type { JobLogLine, StatEntry } from "../telemetry.ts";
import { MINUTE_MS } from "../../metrics/stat_deltas.ts";

/** Log lines outlive any default retention (7 days) by a day; they go with their job too. */
const LOG_EXPIRE_MS = 8 * 24 * 3_600_000;
/** Lines per commit, well within KV's 1,000 mutations and 800 KB per atomic operation. */
const LINES_PER_COMMIT = 100;
/** Minute counts older than this are deleted when statistics are read. */
export const MINUTES_KEPT_MS = 2 * 3_600_000;

/** The KV side of the observability methods of the store contract. */
export class KvTelemetry {
  readonly #kv: Deno.Kv;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  async jobLogAppend({ lines }: { lines: JobLogLine[] }): Promise<void> {
    for (let i = 0; i < lines.length; i += LINES_PER_COMMIT) {
      const atomic = this.#kv.atomic();
      for (const line of lines.slice(i, i + LINES_PER_COMMIT)) {
        atomic.set(["joblog", line.jobId, line.seq], line, { expireIn: LOG_EXPIRE_MS });
      }
      await atomic.commit();
    }
  }

  async jobLogList({ jobId, limit }: { jobId: string; limit: number }): Promise<JobLogLine[]> {
    const lines: JobLogLine[] = [];
    for await (const entry of this.#kv.list<JobLogLine>({ prefix: ["joblog", jobId] }, { limit })) {
      lines.push(entry.value);
    }
    return lines;
  }

  /** Deletes a deleted job's lines. */
  async jobLogDelete(jobId: string): Promise<void> {
    let atomic = this.#kv.atomic();
    let pending = 0;
    for await (const entry of this.#kv.list({ prefix: ["joblog", jobId] })) {
      atomic.delete(entry.key);
      if (++pending === LINES_PER_COMMIT) {
        await atomic.commit();
        atomic = this.#kv.atomic();
        pending = 0;
      }
    }
    if (pending > 0) await atomic.commit();
  }

  /** Every statistic, with minute counts from `since` on; older minutes are deleted. */
  async statsGet({ since, now }: { since: number; now: number }): Promise<StatEntry[]> {
    const stats: StatEntry[] = [];
    const stale: Deno.KvKey[] = [];
    const firstMinute = Math.floor(since / MINUTE_MS);
    const keptMinute = Math.floor((now - MINUTES_KEPT_MS) / MINUTE_MS);
    for await (const entry of this.#kv.list<Deno.KvU64>({ prefix: ["stat"] })) {
      const key = entry.key.slice(1) as (string | number)[];
      if (key[0] === "minute") {
        const minute = key[1] as number;
        if (minute < keptMinute) stale.push(entry.key);
        if (minute < firstMinute) continue;
      }
      stats.push({ key, value: Number(entry.value.value) });
    }
    for (let i = 0; i < stale.length; i += LINES_PER_COMMIT) {
      const atomic = this.#kv.atomic();
      for (const key of stale.slice(i, i + LINES_PER_COMMIT)) atomic.delete(key);
      await atomic.commit();
    }
    return stats;
  }
}
