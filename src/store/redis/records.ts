/**
 * Keyed records (`../records.ts`) on Redis: each record a string under
 * `<prefix>:rec:<space>:<key>` (with `PX` when it has a time to live), and each space a
 * zset of its keys (score 0, so listed in key order) under `<prefix>:rec:<space>`. Both
 * start with the prefix, so on a Redis Cluster (whose prefix is a hash tag) they share a
 * slot. A key whose record Redis has expired leaves the index when a listing meets it.
 *
 * Every write is `scripts/record_put.lua.ts`, so a record and its index entry move
 * together, and a conditional write compares the record's text in the same step.
 *
 * @example
 * ```ts ignore
 * const records = new RedisRecords(redis, "tq");
 * await records.put({ space: "queue_pause", key: "mail", value: true });
 * console.log(await records.list({ space: "queue_pause", limit: 100 }));
 * ```
 * @module
 */
import type * as Records from "../records.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";

/**
 * Takes keys out of a space's index (the last key) whose records (the keys before it) are
 * still gone: one written again since the listing read it stays listed.
 */
const UNLIST_GONE = `for i = 1, #KEYS - 1 do
  if redis.call("EXISTS", KEYS[i]) == 0 then redis.call("ZREM", KEYS[#KEYS], ARGV[i]) end
end`;

/** The keyed records under one prefix. */
export class RedisRecords {
  readonly #redis: ScriptedRedis;
  readonly #prefix: string;

  constructor(redis: ScriptedRedis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async put({ space, key, value, ttlMs, ifVersion }: Records.RecordPutParams): Promise<boolean> {
    const ttl = ttlMs === undefined ? "" : String(Math.max(1, Math.ceil(ttlMs)));
    const mode = ifVersion === undefined ? "any" : ifVersion === null ? "none" : "is";
    const args = [key, JSON.stringify(value), ttl, mode, ifVersion ?? ""];
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

  async list({ space, limit }: Records.RecordListParams): Promise<Records.StoredRecord[]> {
    if (limit <= 0) return [];
    const keys = await this.#redis.zrange(this.#index(space), 0, limit - 1);
    if (keys.length === 0) return [];
    const texts = await this.#redis.mget(...keys.map((key) => this.#key({ space, key })));
    const gone = keys.filter((_, i) => texts[i] === null);
    if (gone.length > 0) {
      const stale = [...gone.map((key) => this.#key({ space, key })), this.#index(space)];
      await this.#redis.eval(UNLIST_GONE, stale.length, ...stale, ...gone);
    }
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
