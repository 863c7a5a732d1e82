/**
 * Layout 4's migration of one queue (`../layout.ts`), a chunk at a time: moves the entries
 * of `ready` that belong in `fifo` there, and lists the others in `state:queued` (see
 * `ready.lua.ts`). Running a chunk again is harmless.
 *
 * ```
 * KEYS[1]  the queue's key prefix
 * ARGV[1]  the rank in ready to go on from;  ARGV[2]  how many entries to look at
 * Returns  the rank to go on from, or -1 when ready has been read to its end
 * ```
 *
 * @example
 * ```ts
 * import { FIFO_SPLIT } from "./fifo_split.lua.ts";
 * console.assert(FIFO_SPLIT.keys === 1);
 * ```
 * @module
 */
import { READY_LUA } from "./ready.lua.ts";

/** The script and its number of keys. */
export const FIFO_SPLIT = {
  keys: 1,
  lua: `local K = KEYS[1]
${READY_LUA}
local from = tonumber(ARGV[1])
local chunk = tonumber(ARGV[2])
local entries = redis.call("ZRANGE", K .. "ready", from, from + chunk - 1, "WITHSCORES")
local kept = 0
for e = 1, #entries, 2 do
  local member = entries[e]
  local id = string.sub(member, 17)
  local runAt = string.format("%.0f", tonumber(string.sub(member, 1, 16)))
  if inFifo(id, entries[e + 1], runAt) then
    redis.call("ZREM", K .. "ready", member)
    redis.call("ZADD", K .. "fifo", 0, id)
  else
    redis.call("ZADD", K .. "state:queued", 0, id)
    kept = kept + 1
  end
end
if #entries < 2 * chunk then return -1 end
return from + kept`,
};
