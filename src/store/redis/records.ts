/**
 * Keyed records (`../records.ts`) on Redis: each record a string under
 * `<prefix>:rec:<space>:<key>` (with `PX` when it has a time to live), and each space two
 * zsets of its keys: `<prefix>:rec:<space>` scored by when each record expires by the
 * store's clock, so each write drops expired ones, and `<prefix>:reckeys:<space>` (score 0)
 * that a listing reads in key order with ZRANGEBYLEX. All start with the prefix, so on a
 * Redis Cluster (whose prefix is a hash tag) they share a slot.
 *
 * Every write is `scripts/record_commit.lua.ts`, so a record and its index entries move
 * together, a conditional write compares the record's text in the same step, and a commit
 * inserts its jobs (as `jobInsertMany` does) in that step too.
 *
 * @example
 * ```ts ignore
 * const records = new RedisRecords(redis, new RedisKeys("tq"), clock);
 * await records.put({ space: "queue_pause", key: "mail", value: true });
 * console.log(await records.list({ space: "queue_pause", limit: 100 }));
 * ```
 * @module
 */
import * as Records from "../records.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";
import type { Clock } from "../../clock.ts";
import { execPipeline } from "./reads.ts";
import { batchCountsExpire } from "./batches.ts";
import type { Job } from "../../job.ts";
import type { RedisKeys } from "./keys.ts";
import { encodeJob, pushChanges } from "./record.ts";
import type { JobUpdate } from "../store.ts";

/** The keyed records under one prefix. */
export class RedisRecords {
  readonly #redis: ScriptedRedis;
  readonly #keys: RedisKeys;
  readonly #prefix: string;
  readonly #clock: Clock;

  constructor(redis: ScriptedRedis, keys: RedisKeys, clock: Clock) {
    this.#redis = redis;
    this.#keys = keys;
    this.#prefix = keys.prefix;
    this.#clock = clock;
  }

  async put({ ifVersion, ...record }: Records.RecordPutParams): Promise<boolean> {
    const checks = ifVersion === undefined ? [] : [{ ...record, version: ifVersion }];
    return await this.commit({ checks, puts: [record] });
  }

  /** One `record_commit` script; the caller checked the jobs (`checkCommitJobs`). */
  async commit(
    { checks = [], puts = [], deletes = [], jobs = [], updates = [] }: Records.RecordCommitParams,
  ): Promise<boolean> {
    const keys = [this.#keys.queues];
    const place = (key: string) => {
      const at = keys.indexOf(key);
      return String(at >= 0 ? at + 1 : keys.push(key));
    };
    const addressed = ({ space, key }: Records.RecordAddress) => [
      place(this.#key({ space, key })),
      place(this.#index(space)),
      place(this.#keyIndex(space)),
      key,
    ];
    const args = [
      this.#keys.wake,
      String(this.#clock.now()),
      String(checks.length),
      ...checks.flatMap((check) => [
        place(this.#key(check)),
        check.version === null ? "none" : "is",
        check.version ?? "",
      ]),
      String(puts.length),
      ...puts.flatMap((put) => [
        ...addressed(put),
        JSON.stringify(put.value),
        put.ttlMs === undefined ? "" : String(Math.max(1, Math.ceil(put.ttlMs))),
      ]),
      String(deletes.length),
      ...deletes.flatMap(addressed),
      ...this.#queueArgs(jobs, place),
      ...this.#updateArgs(updates, place),
    ];
    const written = await this.#redis.tqRecordCommit(keys.length, ...keys, ...args) === 1;
    if (written) await batchCountsExpire(this.#redis, this.#keys, puts);
    return written;
  }

  /** `v`, then per queue its prefix's place, name and updates. */
  #updateArgs(updates: JobUpdate[], place: (key: string) => string): string[] {
    const byQueue = Map.groupBy(updates, (update) => update.after.queue);
    return [
      String(byQueue.size),
      ...[...byQueue].flatMap(([queue, moved]) => [
        place(this.#keys.queue(queue)),
        queue,
        String(moved.length),
        ...moved.flatMap(({ before, after }) =>
          pushChanges([after.id, String(before.version)], before, after)
        ),
      ]),
    ];
  }

  /** `q`, then per queue its prefix's place, name and jobs. */
  #queueArgs(jobs: Job[], place: (key: string) => string): string[] {
    const byQueue = Map.groupBy(jobs, (job) => job.queue);
    return [
      String(byQueue.size),
      ...[...byQueue].flatMap(([queue, queued]) => [
        place(this.#keys.queue(queue)),
        queue,
        String(queued.length),
        ...queued.flatMap((job) => {
          const fields = encodeJob(job);
          return [job.id, String(fields.length / 2), ...fields];
        }),
      ]),
    ];
  }

  async get(address: Records.RecordAddress): Promise<Records.RecordRead | null> {
    const text = await this.#redis.get(this.#key(address));
    return text === null ? null : { value: JSON.parse(text), version: text };
  }

  async delete(address: Records.RecordAddress): Promise<void> {
    await this.commit({ deletes: [address] });
  }

  /**
   * Pages through the key index: a key whose record expired by the store's clock (its
   * expiry score) or is gone from Redis is left out, and the next page read in its place.
   */
  async list(
    { space, limit, prefix = "", from = "" }: Records.RecordListParams,
  ): Promise<Records.StoredRecord[]> {
    const end = Records.prefixEnd(prefix);
    const upper = end === undefined ? "+" : `(${end}`;
    let lower = `[${from > prefix ? from : prefix}`;
    const records: Records.StoredRecord[] = [];
    while (records.length < limit) {
      const want = limit - records.length;
      const keys = await this.#redis.zrangebylex(
        this.#keyIndex(space),
        lower,
        upper,
        "LIMIT",
        0,
        want,
      );
      if (keys.length === 0) break;
      const [texts, expiries] = await execPipeline(
        this.#redis.multi().mget(...keys.map((key) => this.#key({ space, key })))
          .zmscore(this.#index(space), ...keys),
      ) as (string | null)[][];
      const now = this.#clock.now();
      keys.forEach((key, i) => {
        const text = texts[i];
        const live = Number(expiries[i] === "inf" ? Infinity : expiries[i] ?? 0) > now;
        if (text !== null && live) records.push({ key, value: JSON.parse(text) });
      });
      if (keys.length < want) break;
      lower = `(${keys.at(-1)}`;
    }
    return records;
  }

  #key({ space, key }: Records.RecordAddress): string {
    return `${this.#prefix}:rec:${space}:${key}`;
  }

  #index(space: string): string {
    return `${this.#prefix}:rec:${space}`;
  }

  #keyIndex(space: string): string {
    return `${this.#prefix}:reckeys:${space}`;
  }
}
