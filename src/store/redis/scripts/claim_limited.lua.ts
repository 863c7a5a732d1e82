/**
 * Claims ready jobs of one queue under rate limits: what `claim_jobs.lua.ts` does, but each
 * job is taken only while every window it counts against (its queue's, its task's) holds
 * fewer than `max` starts; its start (the job id, scored by `now`) then joins each window.
 * A window is a sorted set whose members older than `per` are dropped before counting, the
 * rule of `src/guards/rate_limit_window.ts`. Held-back jobs stay in their index (`fifo` or
 * `ready`, see `ready.lua.ts`); the script looks past them, up to `scan` entries, so other
 * tasks keep flowing. Window keys sit outside the queue's hash tag (a task's limit spans
 * queues): one Redis, not a Cluster.
 *
 * ```
 * KEYS[1]  the queue's key prefix, "{prefix:queue}:"
 * ARGV[1]  limit;  ARGV[2]  workerId;  ARGV[3]  now (startedAt);  ARGV[4]  leaseExpiresAt
 * ARGV[5]  how many ready members to look at;  ARGV[6]  the window keys' prefix ("prefix:rate:")
 * ARGV[7]  the queue's window ("queue:<name>", or "" for none);  ARGV[8] max;  ARGV[9] per
 * ARGV[10] how many task limits follow; then per task: its name, max, per
 * Returns  { when a held-back job could start (ms, "" if none), { id, flat HGETALL } per claimed job }
 * ```
 *
 * @example
 * ```ts
 * import { CLAIM_LIMITED } from "./claim_limited.lua.ts";
 * console.assert(CLAIM_LIMITED.keys === 1);
 * ```
 * @module
 */
import { READY_LUA } from "./ready.lua.ts";

/** The script and its number of keys. */
export const CLAIM_LIMITED = {
  keys: 1,
  lua: `local K = KEYS[1]
${READY_LUA}
local now = tonumber(ARGV[3])
local limit = tonumber(ARGV[1])
local limits = {}
local taskWindow = {}
local i = 11
for t = 1, tonumber(ARGV[10]) do
  taskWindow[ARGV[i]] = ARGV[6] .. "task:" .. ARGV[i]
  limits[taskWindow[ARGV[i]]] = { max = tonumber(ARGV[i + 1]), per = tonumber(ARGV[i + 2]) }
  i = i + 3
end
local queueWindow = false
if ARGV[7] ~= "" then
  queueWindow = ARGV[6] .. ARGV[7]
  limits[queueWindow] = { max = tonumber(ARGV[8]), per = tonumber(ARGV[9]) }
end
local live = {}
local wakeAt = false
-- Whether a window holds max starts at now; if so, note when its oldest needed one leaves.
local function full(window)
  local l = limits[window]
  if live[window] == nil then
    redis.call("ZREMRANGEBYSCORE", window, "-inf", now - l.per)
    live[window] = redis.call("ZCARD", window)
  end
  if live[window] < l.max then return false end
  local oldest = redis.call("ZRANGE", window, live[window] - l.max, live[window] - l.max, "WITHSCORES")
  local free = tonumber(oldest[2]) + l.per
  if not wakeAt or free < wakeAt then wakeAt = free end
  return true
end
local function started(window, id)
  redis.call("ZADD", window, now, id)
  redis.call("PEXPIRE", window, limits[window].per)
  live[window] = live[window] + 1
end
-- Takes a ready job out of its index (and a ready one out of its listing).
local function unready(head)
  if head.member then
    redis.call("ZREM", K .. "ready", head.member)
    redis.call("ZREM", K .. "state:queued", head.id)
  else
    redis.call("ZREM", K .. "fifo", head.id)
  end
end
local claimed = {}
for _, head in ipairs((readyHeads(tonumber(ARGV[5])))) do
  if #claimed >= limit or (queueWindow and full(queueWindow)) then break end
  local id = head.id
  local key = K .. "job:" .. id
  if redis.call("HGET", key, "state") ~= "queued" then
    unready(head)
  else
    local name = redis.call("HGET", key, "task")
    local window = taskWindow[name]
    if not (window and full(window)) then
      unready(head)
      if queueWindow then started(queueWindow, id) end
      if window then started(window, id) end
      redis.call("HINCRBY", key, "version", 1)
      redis.call("HINCRBY", key, "attempts", 1)
      redis.call("HSET", key, "state", "started", "startedAt", ARGV[3], "workerId", ARGV[2],
        "leaseExpiresAt", ARGV[4])
      redis.call("ZADD", K .. "lease", ARGV[4], id)
      redis.call("ZADD", K .. "state:started", 0, id)
      redis.call("HINCRBY", K .. "counts", "queued", -1)
      redis.call("HINCRBY", K .. "counts", "started", 1)
      local batch = redis.call("HGET", key, "batchId")
      if batch then
        redis.call("HINCRBY", K .. "batch:" .. batch, "queued", -1)
        redis.call("HINCRBY", K .. "batch:" .. batch, "started", 1)
      end
      claimed[#claimed + 1] = { id, redis.call("HGETALL", key) }
    end
  end
end
return { wakeAt and tostring(wakeAt) or "", claimed }`,
};
