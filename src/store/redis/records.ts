/**
 * Keyed records (`../records.ts`) on Redis: each record a string under
 * `<prefix>:rec:<space>:<key>` (with `PX` when it has a time to live), and each space a
 * zset of its keys under `<prefix>:rec:<space>`, scored by when each record expires by the
 * store's clock, so a listing reads only live keys and each write drops expired ones. Both
 * start with the prefix, so on a Redis Cluster (whose prefix is a hash tag) they share a
 * slot.
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
import type * as Records from "../records.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";
import type { Clock } from "../../clock.ts";

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
    return await this.#redis.tqRecordPut(this.#key({ space, key }), this.#index(space), ...args) ===
      1;
  }

  async get(address: Records.RecordAddress): Promise<Records.RecordRead | null> {
    const text = await this.#redis.get(this.#key(address));
    return text === null ? null : { value: JSON.parse(text), version: text };
  }

  async delete(address: Records.RecordAddress): Promise<void> {
    await this.#redis.multi().del(this.#key(address)).zrem(this.#index(address.space), address.key)
      .exec();
  }

  /** Sorted here: the index is in expiry order. */
  async list({ space, limit }: Records.RecordListParams): Promise<Records.StoredRecord[]> {
    if (limit <= 0) return [];
    const live = await this.#redis.zrangebyscore(
      this.#index(space),
      `(${this.#clock.now()}`,
      "+inf",
    );
    const keys = live.sort().slice(0, limit);
    if (keys.length === 0) return [];
    const texts = await this.#redis.mget(...keys.map((key) => this.#key({ space, key })));
    // A record deleted, or expired by Redis a little early, since the index was read: left out.
    return keys.flatMap((key, i) => {
      const text = texts[i];
      return text === null ? [] : [{ key, value: JSON.parse(text) }];
    });
  }

  #key({ space, key }: Records.RecordAddress): string {
    return `${this.#prefix}:rec:${space}:${key}`;
  }

  #index(space: string): string {
    return `${this.#prefix}:rec:${space}`;
  }
}
