/**
 * Closes a batch whose jobs have all ended and inserts its `onComplete` job (as
 * `insert_jobs.lua.ts` does), atomically: a batch already closed writes nothing. The
 * batch's keys sit outside the queue's hash tag, so on a Redis Cluster this script needs
 * them in one slot with the completion job's queue.
 *
 * ```
 * KEYS[1]  the completion job's queue prefix;  KEYS[2]  the batch's hash
 * KEYS[3]  the set of open batches;  KEYS[4]  the set of queues
 * ARGV[1]  the wake channel;  ARGV[2]  the queue's name;  ARGV[3]  the batch id
 * ARGV[4]  the closed record (JSON);  ARGV[5]  its TTL in ms
 * ARGV[6]  "1" if a job follows: id, n, n field/value pairs (record.ts), then statistics
 * Returns  1 if closed now, 0 if it was closed already (or never created)
 * ```
 *
 * @example
 * ```ts
 * import { BATCH_COMPLETE } from "./batch_complete.lua.ts";
 * console.assert(BATCH_COMPLETE.keys === 4);
 * ```
 * @module
 */
import { INDEXES_LUA } from "./indexes.lua.ts";

/** The script and its number of keys. */
export const BATCH_COMPLETE = {
  keys: 4,
  lua: `local K = KEYS[1]
${INDEXES_LUA}
if redis.call("HEXISTS", KEYS[2], "r") == 0 or redis.call("HEXISTS", KEYS[2], "done") == 1 then
  return 0
end
if ARGV[6] == "1" then
  local id = ARGV[7]
  if redis.call("EXISTS", K .. "job:" .. id) == 1 then return redis.error_reply("exists " .. id) end
  addStats(9 + 2 * tonumber(ARGV[8]))
  insertOne(7, KEYS[4])
end
redis.call("HSET", KEYS[2], "r", ARGV[4], "done", "1")
redis.call("PEXPIRE", KEYS[2], ARGV[5])
redis.call("SREM", KEYS[3], ARGV[3])
return 1`,
};
