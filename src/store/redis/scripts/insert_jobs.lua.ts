/**
 * Inserts new jobs of one queue with their index entries and counts, the queue's name in
 * the set of queues and each job's queue in the locator: all or none, in one call (no
 * MULTI around it). The set and the locator sit outside the queue's hash tag, so on a
 * Redis Cluster this script needs them in one slot with the queue.
 *
 * ```
 * KEYS[1]  the queue's key prefix, "{prefix:queue}:"
 * KEYS[2]  the set of queues;  KEYS[3]  the job locator hash
 * ARGV[1]  the wake channel;  ARGV[2]  the queue's name (the wake message)
 * ARGV[3]  how many jobs follow; then per job:
 *          id, n (hash fields), n field/value pairs (see record.ts)
 *          then the statistics they add: n, n field/increment pairs
 * Returns  the number of jobs written; an error "exists <id>" writes nothing.
 * ```
 *
 * @example
 * ```ts
 * import { INSERT_JOBS } from "./insert_jobs.lua.ts";
 * console.assert(INSERT_JOBS.keys === 3);
 * ```
 * @module
 */
import { INDEXES_LUA } from "./indexes.lua.ts";

/** The script and its number of keys. */
export const INSERT_JOBS = {
  keys: 3,
  lua: `local K = KEYS[1]
${INDEXES_LUA}
local total = tonumber(ARGV[3])
local starts = {}
local i = 4
for j = 1, total do
  if redis.call("EXISTS", K .. "job:" .. ARGV[i]) == 1 then
    return redis.error_reply("exists " .. ARGV[i])
  end
  starts[j] = i
  i = i + 2 + 2 * tonumber(ARGV[i + 1])
end
addStats(i)
redis.call("SADD", KEYS[2], ARGV[2])
local wake = false
for j = 1, total do
  local at = starts[j]
  local id = ARGV[at]
  local key = K .. "job:" .. id
  writeRecord(key, at + 2, tonumber(ARGV[at + 1]))
  local f = readFields(key)
  indexAdd(id, f)
  redis.call("ZADD", K .. "all", 0, id)
  redis.call("HSET", KEYS[3], id, ARGV[2])
  count(f[1], 1)
  batchCount(f[6], f[1], 1)
  if f[1] == "queued" then wake = true end
end
if wake then redis.call("PUBLISH", ARGV[1], ARGV[2]) end
return total`,
};
