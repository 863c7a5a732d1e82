/**
 * The oldest ready job of a queue: the ready zset is scored by priority and its members
 * start with `runAt`, so the longest-waiting job is the earliest of each priority level's
 * first member. The script reads exactly those, one ZRANGEBYSCORE of one member per
 * priority level holding ready jobs, in one round trip.
 *
 * ```
 * KEYS[1]  the queue's key prefix
 * Returns  the earliest runAt (epoch ms), or nil when nothing is ready.
 * ```
 *
 * @example
 * ```ts
 * import { OLDEST_READY } from "./oldest_ready.lua.ts";
 * console.assert(OLDEST_READY.keys === 1);
 * ```
 * @module
 */

/** The script and its number of keys. */
export const OLDEST_READY = {
  keys: 1,
  lua: `local ready = KEYS[1] .. "ready"
local oldest = nil
local from = "-inf"
while true do
  local first = redis.call("ZRANGEBYSCORE", ready, from, "+inf", "WITHSCORES", "LIMIT", 0, 1)
  if #first == 0 then break end
  local runAt = tonumber(string.sub(first[1], 1, 16))
  if oldest == nil or runAt < oldest then oldest = runAt end
  from = "(" .. first[2]
end
return oldest`,
};
