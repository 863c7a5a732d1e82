/**
 * Deletes a job with its index entries and count, if it is still at the version given.
 *
 * ```
 * KEYS[1]  the queue's key prefix, "{prefix:queue}:"
 * ARGV[1]  id;  ARGV[2]  expected version
 * Returns  1 if deleted, 0 if the record changed or is gone
 * ```
 *
 * @example
 * ```ts
 * import { DELETE_JOB } from "./delete_job.lua.ts";
 * console.assert(DELETE_JOB.keys === 1);
 * ```
 * @module
 */
import { INDEXES_LUA } from "./indexes.lua.ts";

/** The script and its number of keys. */
export const DELETE_JOB = {
  keys: 1,
  lua: `local K = KEYS[1]
${INDEXES_LUA}
local id = ARGV[1]
local key = K .. "job:" .. id
if redis.call("HGET", key, "version") ~= ARGV[2] then return 0 end
local old = readFields(key)
indexRemove(id, old)
redis.call("DEL", key)
count(old[1], -1)
-- A pruned job that ended stays counted in its batch.
if old[1] ~= "finished" and old[1] ~= "failed" and old[1] ~= "canceled" then
  batchCount(old[6], old[1], -1)
end
return 1`,
};
