/**
 * Puts one disagreement between a queue's indexes and a record right, for `tq doctor`
 * (`../audit.ts`): drops an index entry, or writes every entry a record implies, only while
 * the record is as the audit found it.
 *
 * ```
 * KEYS[1]  the queue's key prefix, "{prefix:queue}:"
 * ARGV[1]  "drop" or "reindex";  ARGV[2]  id
 * ARGV[3]  the record's version as found ("" : the record must not exist)
 * ARGV[4]  the index's key suffix ("ready", "state:failed", …);  ARGV[5]  its member
 * Returns  1 if written, 0 if the record changed meanwhile
 * ```
 *
 * @example
 * ```ts
 * import { REPAIR_INDEX } from "./repair_index.lua.ts";
 * console.assert(REPAIR_INDEX.keys === 1);
 * ```
 * @module
 */
import { INDEXES_LUA } from "./indexes.lua.ts";

/** The script and its number of keys. */
export const REPAIR_INDEX = {
  keys: 1,
  lua: `local K = KEYS[1]
${INDEXES_LUA}
local id = ARGV[2]
local key = K .. "job:" .. id
local version = redis.call("HGET", key, "version")
if ARGV[3] == "" then
  if version then return 0 end
elseif version ~= ARGV[3] then return 0 end
if ARGV[1] == "drop" then
  redis.call("ZREM", K .. ARGV[4], ARGV[5])
else
  indexAdd(id, readFields(key))
end
return 1`,
};
