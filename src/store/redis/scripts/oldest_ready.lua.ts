/**
 * The oldest ready job of a queue: the `ready` zset is scored by priority and its members
 * start with `runAt`, so the longest-waiting job there is the earliest of each priority
 * level's first member; in `fifo` it is the first id, whose time is its `runAt` (see
 * `ready.lua.ts`). The script reads exactly those, one ZRANGEBYSCORE of one member per
 * priority level holding ready jobs and the first id, in one round trip.
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
import { READY_LUA } from "./ready.lua.ts";

/** The script and its number of keys. */
export const OLDEST_READY = {
  keys: 1,
  lua: `local K = KEYS[1]
${READY_LUA}
local ready = K .. "ready"
local oldest = nil
local head = redis.call("ZRANGE", K .. "fifo", 0, 0)
if #head > 0 then oldest = tonumber(idTime(head[1])) end
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
