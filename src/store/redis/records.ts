/**
 * Keyed records (`../records.ts`) on Redis: each record a string under
 * `<prefix>:rec:<space>:<key>` (with `PX` when it has a time to live), and each space two
 * zsets of its keys: `<prefix>:rec:<space>` scored by when each record expires by the
 * store's clock, so each write drops expired ones, and `<prefix>:reckeys:<space>` (score 0)
 * that a listing reads in key order with ZRANGEBYLEX. All start with the prefix, so on a
 * Redis Cluster (whose prefix is a hash tag) they share a slot.
 *
 * Every write is `scripts/record_put.lua.ts`, so a record and its index entry move
 * together, and a conditional write compares the record's text in the same step.
 *
 * @example
 * ```ts ignore
 * const records = new RedisRecords(redis, "tq", clock);
 * await records.put({ space: "queue_pause", key: "mail", value: true });
 * console.log(await records.list({ space: "queue_pause", limit: 100 }));
 * ```
 * @module
 */
import * as Records from "../records.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";
import type { Clock } from "../../clock.ts";
import { execPipeline } from "./reads.ts";

/** The keyed records under one prefix. */
export class RedisRecords {
  readonly #redis: ScriptedRedis;
  readonly #prefix: string;
  readonly #clock: Clock;

  constructor(redis: ScriptedRedis, prefix: string, clock: Clock) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#clock = clock;
  }

  async put({ space, key, value, ttlMs, ifVersion }: Records.RecordPutParams): Promise<boolean> {
    const ttl = ttlMs === undefined ? "" : String(Math.max(1, Math.ceil(ttlMs)));
    const mode = ifVersion === undefined ? "any" : ifVersion === null ? "none" : "is";
    const now = String(this.#clock.now());
    const args = [key, JSON.stringify(value), ttl, mode, ifVersion ?? "", now];
    const keys = [this.#key({ space, key }), this.#index(space), this.#keyIndex(space)] as const;
    return await this.#redis.tqRecordPut(...keys, ...args) === 1;
  }

  async get(address: Records.RecordAddress): Promise<Records.RecordRead | null> {
    const text = await this.#redis.get(this.#key(address));
    return text === null ? null : { value: JSON.parse(text), version: text };
  }

  async delete(address: Records.RecordAddress): Promise<void> {
    const { space, key } = address;
    await this.#redis.multi().del(this.#key(address)).zrem(this.#index(space), key)
      .zrem(this.#keyIndex(space), key).exec();
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
