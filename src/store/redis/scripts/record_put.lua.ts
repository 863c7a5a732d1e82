/**
 * Writes a keyed record (`../../records.ts`), unconditionally or only while it is still
 * as read, and lists its key in the space's two indexes: by expiry (score: when the record
 * expires, `inf` without a time to live) and by key (score 0, read with ZRANGEBYLEX). Keys
 * whose records expired by then leave both, up to 1,000 per write, so they hold about as
 * many keys as the space holds records. A record's version on Redis is its stored text:
 * "still as read" means the same text.
 *
 * ```
 * KEYS[1]  the record (`<prefix>:rec:<space>:<key>`, a string)
 * KEYS[2]  the space's expiry index (`<prefix>:rec:<space>`, zset of keys, score: expiry)
 * KEYS[3]  the space's key index (`<prefix>:reckeys:<space>`, zset of keys, score 0)
 * ARGV[1]  the record's key
 * ARGV[2]  the value as JSON
 * ARGV[3]  its time to live in ms, or "" to keep it
 * ARGV[4]  "any" (always write), "none" (only if absent) or "is" (only if the text is ARGV[5])
 * ARGV[5]  the text read, for "is"
 * ARGV[6]  now, epoch ms by the store's clock
 * Returns  1 when written, 0 when the condition failed.
 * ```
 *
 * @example
 * ```ts
 * import { RECORD_PUT } from "./record_put.lua.ts";
 * console.assert(RECORD_PUT.keys === 3);
 * ```
 * @module
 */

/** The script and its number of keys. */
export const RECORD_PUT = {
  keys: 3,
  lua: `local held = redis.call("GET", KEYS[1])
if ARGV[4] == "none" and held then return 0 end
if ARGV[4] == "is" and held ~= ARGV[5] then return 0 end
if ARGV[3] == "" then
  redis.call("SET", KEYS[1], ARGV[2])
  redis.call("ZADD", KEYS[2], "inf", ARGV[1])
else
  redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
  redis.call("ZADD", KEYS[2], tonumber(ARGV[6]) + tonumber(ARGV[3]), ARGV[1])
end
redis.call("ZADD", KEYS[3], 0, ARGV[1])
local gone = redis.call("ZRANGEBYSCORE", KEYS[2], "-inf", ARGV[6], "LIMIT", 0, 1000)
if #gone > 0 then
  redis.call("ZREM", KEYS[2], unpack(gone))
  redis.call("ZREM", KEYS[3], unpack(gone))
end
return 1`,
};
