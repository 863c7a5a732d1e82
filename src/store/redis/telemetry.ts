/**
 * The Redis side of the observability methods (`../telemetry.ts`): job log lines and the
 * statistics that the job scripts sum.
 *
 * | key | type | for |
 * | --- | --- | --- |
 * | `p:joblog:<jobId>` | zset, score 0, member seq + newline + the line as JSON | log lines |
 * | `{p:q}:stats` | hash, JSON stat key → sum | statistics of one queue |
 *
 * @example
 * ```ts ignore
 * const telemetry = new RedisTelemetry(redis, new RedisKeys("tq"));
 * console.log(await telemetry.jobLogList({ jobId: "01J", limit: 10 }));
 * ```
 * @module
 */
import type { RedisClient } from "./connection.ts";
import { MINUTE_MS } from "../../metrics/stat_deltas.ts";
import type { JobLogLine, StatEntry, StatKey } from "../telemetry.ts";
import type { RedisKeys } from "./keys.ts";
import { execPipeline, knownQueues } from "./reads.ts";

/** Log lines outlive any default retention (7 days) by a day; they go with their job too. */
const LOG_EXPIRE_MS = 8 * 24 * 3_600_000;
/** Minute counts older than this are deleted when statistics are read. */
const MINUTES_KEPT_MS = 2 * 3_600_000;

/**
 * Statistic changes as script arguments: their number, then field/increment pairs.
 *
 * @example
 * ```ts
 * import { statArgs } from "./telemetry.ts";
 * console.assert(statArgs([{ key: ["jobs", "enqueued", "q", "t"], value: 1 }])[0] === "1");
 * ```
 */
export function statArgs(deltas: StatEntry[]): string[] {
  return pushStatArgs([], deltas);
}

/**
 * Appends {@linkcode statArgs} of `deltas` to `out`, without the intermediate map and
 * arrays: this runs for every job a worker settles, whose few deltas rarely repeat a key.
 *
 * @example
 * ```ts
 * import { pushStatArgs } from "./telemetry.ts";
 * const key = ["jobs", "enqueued", "q", "t"];
 * const out = pushStatArgs(["x"], [{ key, value: 1 }, { key, value: 2 }]);
 * console.assert(out.join() === `x,1,${JSON.stringify(key)},3`);
 * ```
 */
export function pushStatArgs(out: string[], deltas: StatEntry[]): string[] {
  const countAt = out.push("") - 1;
  const firstField = out.length;
  for (const { key, value } of deltas) {
    const field = JSON.stringify(key);
    let at = firstField;
    while (at < out.length && out[at] !== field) at += 2;
    if (at < out.length) out[at + 1] = String(Number(out[at + 1]) + value);
    else out.push(field, String(value));
  }
  out[countAt] = String((out.length - firstField) / 2);
  return out;
}

/** Workers, log lines and statistics on Redis. */
export class RedisTelemetry {
  readonly #redis: RedisClient;
  readonly #keys: RedisKeys;

  constructor(redis: RedisClient, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  /** Where a job's log lines are. */
  jobLogKey(jobId: string): string {
    return `${this.#keys.prefix}:joblog:${jobId}`;
  }

  async jobLogAppend({ lines }: { lines: JobLogLine[] }): Promise<void> {
    if (lines.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const line of lines) {
      pipeline.zadd(this.jobLogKey(line.jobId), 0, `${line.seq}\n${JSON.stringify(line)}`);
    }
    for (const jobId of new Set(lines.map((line) => line.jobId))) {
      pipeline.pexpire(this.jobLogKey(jobId), LOG_EXPIRE_MS);
    }
    await execPipeline(pipeline);
  }

  async jobLogList({ jobId, limit }: { jobId: string; limit: number }): Promise<JobLogLine[]> {
    if (limit <= 0) return [];
    const members = await this.#redis.zrange(this.jobLogKey(jobId), 0, limit - 1);
    return members.map((member) => JSON.parse(member.slice(member.indexOf("\n") + 1)));
  }

  /** Every statistic summed over the queues, minute counts from `since` on. */
  async statsGet({ since, now }: { since: number; now: number }): Promise<StatEntry[]> {
    const queues = await knownQueues(this.#redis, this.#keys);
    const pipeline = this.#redis.pipeline();
    for (const queue of queues) pipeline.hgetall(this.#stats(queue));
    const hashes = await execPipeline(pipeline) as Record<string, string>[];
    const firstMinute = Math.floor(since / MINUTE_MS);
    const keptMinute = Math.floor((now - MINUTES_KEPT_MS) / MINUTE_MS);
    const sums = new Map<string, StatEntry>();
    const stale = this.#redis.pipeline();
    hashes.forEach((hash, q) => {
      for (const [field, value] of Object.entries(hash)) {
        const key = JSON.parse(field) as StatKey;
        if (key[0] === "minute") {
          const minute = key[1] as number;
          if (minute < keptMinute) stale.hdel(this.#stats(queues[q]), field);
          if (minute < firstMinute) continue;
        }
        // The same key may be spelled two ways (Lua escapes "/"): sum by its parsed form.
        const id = JSON.stringify(key);
        const entry = sums.get(id) ?? { key, value: 0 };
        sums.set(id, { key, value: entry.value + Number(value) });
      }
    });
    if (stale.length > 0) await execPipeline(stale);
    return [...sums.values()];
  }

  #stats(queue: string): string {
    return `${this.#keys.queue(queue)}stats`;
  }
}
