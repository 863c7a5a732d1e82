/**
 * Inserts one job unless its idempotency key holds: the key's string is
 * `<expiresAt>:<jobId>`, and it holds while `expiresAt` is after the new job's `createdAt`
 * and that job still exists (in any queue: see `locate_jobs.lua.ts`). Otherwise the job is
 * inserted (as `insert_jobs.lua.ts` does) and the key set, atomically. The key and the set
 * of queues sit outside the queue's hash tag, so on a Redis Cluster this script needs them
 * in one slot.
 *
 * ```
 * KEYS[1]  the queue's key prefix;  KEYS[2]  the idempotency key
 * KEYS[3]  the set of queues
 * ARGV[1]  the wake channel;  ARGV[2]  the queue's name
 * ARGV[3]  the job's createdAt;  ARGV[4]  the key's expiresAt;  ARGV[5]  its TTL in ms
 * ARGV[6], ARGV[7]  what goes before and after a queue's name in its key prefix
 * then the job: id, n, n field/value pairs (record.ts), then its statistics: n, n pairs
 * Returns  {1, id} when inserted, {0, id of the job the key holds} otherwise
 * ```
 *
 * @example
 * ```ts
 * import { INSERT_IDEMPOTENT } from "./insert_idempotent.lua.ts";
 * console.assert(INSERT_IDEMPOTENT.keys === 3);
 * ```
 * @module
 */
import { INDEXES_LUA } from "./indexes.lua.ts";

/** The script and its number of keys. */
export const INSERT_IDEMPOTENT = {
  keys: 3,
  lua: `local K = KEYS[1]
${INDEXES_LUA}
-- Whether some queue holds the job with this id.
local function exists(id)
  for _, queue in ipairs(redis.call("SMEMBERS", KEYS[3])) do
    if redis.call("EXISTS", ARGV[6] .. queue .. ARGV[7] .. "job:" .. id) == 1 then return true end
  end
  return false
end
local held = redis.call("GET", KEYS[2])
if held then
  local sep = string.find(held, ":", 1, true)
  local heldId = string.sub(held, sep + 1)
  if tonumber(string.sub(held, 1, sep - 1)) > tonumber(ARGV[3]) and exists(heldId) then
    return {0, heldId}
  end
end
local id = ARGV[8]
if redis.call("EXISTS", K .. "job:" .. id) == 1 then return redis.error_reply("exists " .. id) end
addStats(10 + 2 * tonumber(ARGV[9]))
insertOne(8, KEYS[3])
redis.call("SET", KEYS[2], ARGV[4] .. ":" .. id, "PX", ARGV[5])
return {1, id}`,
};
