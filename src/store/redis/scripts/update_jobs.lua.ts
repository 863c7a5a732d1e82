/**
 * Writes records of one queue computed by `src/transitions/`, each only if the stored
 * version is still the one its caller read; moves index entries and counts with them.
 * Each update succeeds or fails on its own. An update carries only the hash fields that
 * differ from the record its caller read (`d` always): with the version unchanged, the
 * stored hash is that record, so the rest stays as it is.
 *
 * ```
 * KEYS[1]  the queue's key prefix, "{prefix:queue}:"
 * ARGV[1]  the wake channel;  ARGV[2]  the queue's name (the wake message)
 * ARGV[3]  how many updates follow; then per update:
 *          id, expected version, n (hash fields set), n field/value pairs (see record.ts),
 *          r, r names of hash fields removed
 * Returns  per update, 1 if written, 0 if the record changed or is gone
 * ```
 *
 * @example
 * ```ts
 * import { UPDATE_JOBS } from "./update_jobs.lua.ts";
 * console.assert(UPDATE_JOBS.keys === 1);
 * ```
 * @module
 */
import { INDEXES_LUA } from "./indexes.lua.ts";
import { SUMS_LUA } from "./sums.lua.ts";

/** The script and its number of keys. */
export const UPDATE_JOBS = {
  keys: 1,
  lua: `local K = KEYS[1]
${INDEXES_LUA}
-- Counts and batch counts go through incr() and are written by flushSums().
${SUMS_LUA}local applied = {}
local wake = false
local i = 4
for j = 1, tonumber(ARGV[3]) do
  local id = ARGV[i]
  local n = tonumber(ARGV[i + 2])
  local key = K .. "job:" .. id
  local old = redis.call("HMGET", key, "version", "state", "priority", "runAt",
    "leaseExpiresAt", "expiresAt", "batchId", "callbackDueAt", "waitEvent", "waitKey")
  local r = tonumber(ARGV[i + 3 + 2 * n])
  if old[1] == ARGV[i + 1] then
    table.remove(old, 1)
    indexRemove(id, old)
    redis.call("HSET", key, unpack(ARGV, i + 3, i + 2 + 2 * n))
    local new = { unpack(old) }
    for p = i + 3, i + 1 + 2 * n, 2 do
      local slot = SLOT[ARGV[p]]
      if slot then new[slot] = ARGV[p + 1] end
    end
    if r > 0 then
      local at = i + 4 + 2 * n
      redis.call("HDEL", key, unpack(ARGV, at, at + r - 1))
      for p = at, at + r - 1 do
        local slot = SLOT[ARGV[p]]
        if slot then new[slot] = false end
      end
    end
    indexAdd(id, new)
    if old[1] ~= new[1] then
      incr(K .. "counts", old[1], -1)
      incr(K .. "counts", new[1], 1)
      if old[6] then incr(K .. "batch:" .. old[6], old[1], -1) end
      if new[6] then incr(K .. "batch:" .. new[6], new[1], 1) end
      if new[1] == "queued" then wake = true end
    end
    applied[j] = 1
  else
    applied[j] = 0
  end
  i = i + 4 + 2 * n + r
end
flushSums()
if wake then redis.call("PUBLISH", ARGV[1], ARGV[2]) end
return applied`,
};
