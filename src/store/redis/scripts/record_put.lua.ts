/**
 * Writes a keyed record (`../../records.ts`), unconditionally or only while it is still
 * as read, and lists its key in the space's index, scored by when the record expires
 * (`inf` without a time to live). Keys whose records expired by then leave the index, so
 * it holds about as many keys as the space holds records. A record's version on Redis is
 * its stored text: "still as read" means the same text.
 *
 * ```
 * KEYS[1]  the record (`<prefix>:rec:<space>:<key>`, a string)
 * KEYS[2]  the space's index (`<prefix>:rec:<space>`, zset of keys, score: expiry)
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
 * console.assert(RECORD_PUT.keys === 2);
 * ```
 * @module
 */

/** The script and its number of keys. */
export const RECORD_PUT = {
  keys: 2,
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
redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", ARGV[6])
return 1`,
};
