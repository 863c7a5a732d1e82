/**
 * Inserts one job unless its idempotency key holds: the key's string is
 * `<expiresAt>:<jobId>`, and it holds while `expiresAt` is after the new job's `createdAt`
 * and that job still exists (its id is in the locator). Otherwise the job is inserted (as
 * `insert_jobs.lua.ts` does) and the key set, atomically. The key and the locator sit
 * outside the queue's hash tag, so on a Redis Cluster this script needs them in one slot.
 *
 * ```
 * KEYS[1]  the queue's key prefix;  KEYS[2]  the idempotency key
 * KEYS[3]  the set of queues;       KEYS[4]  the job locator hash
 * ARGV[1]  the wake channel;  ARGV[2]  the queue's name
 * ARGV[3]  the job's createdAt;  ARGV[4]  the key's expiresAt;  ARGV[5]  its TTL in ms
 * then the job: id, n, n field/value pairs (record.ts), then its statistics: n, n pairs
 * Returns  {1, id} when inserted, {0, id of the job the key holds} otherwise
 * ```
 *
 * @example
 * ```ts
 * import { INSERT_IDEMPOTENT } from "./insert_idempotent.lua.ts";
 * console.assert(INSERT_IDEMPOTENT.keys === 4);
 * ```
 * @module
 */
import { INDEXES_LUA } from "./indexes.lua.ts";

/** The script and its number of keys. */
export const INSERT_IDEMPOTENT = {
  keys: 4,
  lua: `local K = KEYS[1]
${INDEXES_LUA}
local held = redis.call("GET", KEYS[2])
if held then
  local sep = string.find(held, ":", 1, true)
  local heldId = string.sub(held, sep + 1)
  if tonumber(string.sub(held, 1, sep - 1)) > tonumber(ARGV[3])
    and redis.call("HEXISTS", KEYS[4], heldId) == 1 then
    return {0, heldId}
  end
end
local id = ARGV[6]
if redis.call("EXISTS", K .. "job:" .. id) == 1 then return redis.error_reply("exists " .. id) end
addStats(8 + 2 * tonumber(ARGV[7]))
insertOne(6, KEYS[3], KEYS[4])
redis.call("SET", KEYS[2], ARGV[4] .. ":" .. id, "PX", ARGV[5])
return {1, id}`,
};
