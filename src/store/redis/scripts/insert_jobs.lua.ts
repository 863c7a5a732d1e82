/**
 * Inserts new jobs of one queue with their index entries and counts and the queue's name in
 * the set of queues: all or none, in one call (no MULTI around it). The set sits outside
 * the queue's hash tag, so on a Redis Cluster this script needs it in one slot with the
 * queue.
 *
 * ```
 * KEYS[1]  the queue's key prefix, "{prefix:queue}:"
 * KEYS[2]  the set of queues
 * ARGV[1]  the wake channel;  ARGV[2]  the queue's name (the wake message)
 * ARGV[3]  how many jobs follow; then per job:
 *          id, n (hash fields), n field/value pairs (see record.ts)
 * Returns  the number of jobs written; an error "exists <id>" writes nothing.
 * ```
 *
 * @example
 * ```ts
 * import { INSERT_JOBS } from "./insert_jobs.lua.ts";
 * console.assert(INSERT_JOBS.keys === 2);
 * ```
 * @module
 */
import { INDEXES_LUA } from "./indexes.lua.ts";
import { SUMS_LUA } from "./sums.lua.ts";

/** The script and its number of keys. */
export const INSERT_JOBS = {
  keys: 2,
  lua: `local K = KEYS[1]
${INDEXES_LUA}
-- Counts and batch counts go through incr() and are written by flushSums().
${SUMS_LUA}
local total = tonumber(ARGV[3])
local starts, keys = {}, {}
local i = 4
for j = 1, total do
  starts[j] = i
  keys[j] = K .. "job:" .. ARGV[i]
  i = i + 2 + 2 * tonumber(ARGV[i + 1])
end
-- One EXISTS for the batch; only a clash looks for the job that clashed.
if redis.call("EXISTS", unpack(keys)) > 0 then
  for j = 1, total do
    if redis.call("EXISTS", keys[j]) == 1 then
      return redis.error_reply("exists " .. ARGV[starts[j]])
    end
  end
end
redis.call("SADD", KEYS[2], ARGV[2])
-- Index entries gathered per key and added in a few calls per key, not one per job.
local adds, order = {}, {}
local function add(key, score, member)
  local list = adds[key]
  if list == nil then
    list = {}
    adds[key] = list
    order[#order + 1] = key
  end
  list[#list + 1] = score
  list[#list + 1] = member
end
for j = 1, total do
  local at = starts[j]
  local id = ARGV[at]
  local n = tonumber(ARGV[at + 1])
  -- A new record: nothing to delete first, and its fields are the arguments.
  redis.call("HSET", keys[j], unpack(ARGV, at + 2, at + 1 + 2 * n))
  local f = argFields(at + 2, n)
  local state = f[1]
  -- What indexAdd writes, gathered.
  if state == "queued" and inFifo(id, f[2], f[3]) then add(K .. "fifo", 0, id)
  else
    if state == "queued" then add(K .. "ready", f[2] or 0, readyMember(f[3], id))
    elseif state == "scheduled" then add(K .. "sched", f[3], id)
    elseif state == "started" then add(K .. "lease", f[4] or 0, id) end
    add(K .. "state:" .. state, 0, id)
  end
  if f[5] then add(K .. "exp", f[5], id) end
  if f[7] then add(K .. "callback", f[7], id) end
  incr(K .. "counts", state, 1)
  if f[6] then incr(K .. "batch:" .. f[6], state, 1) end
end
-- unpack takes at most a few thousand values: 1,000 at a time.
local function each(command, key, args)
  for a = 1, #args, 1000 do
    redis.call(command, key, unpack(args, a, math.min(a + 999, #args)))
  end
end
for _, key in ipairs(order) do each("ZADD", key, adds[key]) end
flushSums()
if adds[K .. "fifo"] or adds[K .. "ready"] then redis.call("PUBLISH", ARGV[1], ARGV[2]) end
return total`,
};
