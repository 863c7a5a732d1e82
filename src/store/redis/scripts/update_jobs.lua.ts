/**
 * Writes records of one queue computed by `src/transitions.ts`, each only if the stored
 * version is still the one its caller read; moves index entries and counts with them.
 * Each update succeeds or fails on its own.
 *
 * ```
 * KEYS[1]  the queue's key prefix, "{prefix:queue}:"
 * ARGV[1]  the wake channel;  ARGV[2]  the queue's name (the wake message)
 * ARGV[3]  how many updates follow; then per update:
 *          id, expected version, n (hash fields), n field/value pairs (see record.ts),
 *          m, m statistic field/increment pairs (added only if the update is written)
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

/** The script and its number of keys. */
export const UPDATE_JOBS = {
  keys: 1,
  lua: `local K = KEYS[1]
${INDEXES_LUA}
local applied = {}
local wake = false
local i = 4
for j = 1, tonumber(ARGV[3]) do
  local id = ARGV[i]
  local n = tonumber(ARGV[i + 2])
  local key = K .. "job:" .. id
  if redis.call("HGET", key, "version") == ARGV[i + 1] then
    local old = readFields(key)
    indexRemove(id, old)
    writeRecord(key, i + 3, n)
    local new = readFields(key)
    indexAdd(id, new)
    if old[1] ~= new[1] then
      count(old[1], -1)
      count(new[1], 1)
      batchCount(old[6], old[1], -1)
      batchCount(new[6], new[1], 1)
      if new[1] == "queued" then wake = true end
    end
    applied[j] = 1
    i = addStats(i + 3 + 2 * n)
  else
    applied[j] = 0
    i = i + 3 + 2 * n
    i = i + 1 + 2 * tonumber(ARGV[i])
  end
end
if wake then redis.call("PUBLISH", ARGV[1], ARGV[2]) end
return applied`,
};
