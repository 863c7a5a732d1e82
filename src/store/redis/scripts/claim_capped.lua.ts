/**
 * Claims ready jobs of one queue under caps (`CappedClaimParams.caps`): what
 * `claim_jobs.lua.ts` does, but a job is taken only while its task's cap and the queue's cap
 * allow, the rule of `src/store/claim_caps.ts`. Jobs past a cap stay in their index (`fifo`
 * or `ready`, see `ready.lua.ts`), untouched; the script looks past them, up to `scan`
 * entries, so other tasks keep flowing, and tells which caps held them back (each cap used
 * up of a job passed over); it stops at the first job past the queue's used-up cap. It touches only the queue's keys (one hash
 * tag, so one Cluster slot).
 *
 * ```
 * KEYS[1]  the queue's key prefix, "{prefix:queue}:"
 * ARGV[1]  limit;  ARGV[2]  workerId;  ARGV[3]  now (startedAt);  ARGV[4]  leaseExpiresAt
 * ARGV[5]  the queue's name, JSON-encoded;  ARGV[6]  how many ready members to look at
 * ARGV[7]  the queue's cap ("" for none)
 * ARGV[8]  how many task caps follow; then per task: its name, its cap
 * then    the histogram bucket bounds, in ms
 * Returns  { { id, flat HGETALL } per claimed job, best first;
 *            the tasks whose cap held a job back; 1 if the queue's cap did, else 0 }
 * ```
 *
 * @example
 * ```ts
 * import { CLAIM_CAPPED } from "./claim_capped.lua.ts";
 * console.assert(CLAIM_CAPPED.keys === 1);
 * ```
 * @module
 */
import { READY_LUA } from "./ready.lua.ts";
import { STARTED_STATS_LUA } from "./started_stats.lua.ts";

/** The script and its number of keys. */
export const CLAIM_CAPPED = {
  keys: 1,
  lua: `local K = KEYS[1]
${READY_LUA}
local now = tonumber(ARGV[3])
local limit = tonumber(ARGV[1])
local queueLeft = ARGV[7] ~= "" and tonumber(ARGV[7]) or math.huge
local taskLeft = {}
local i = 9
for t = 1, tonumber(ARGV[8]) do
  taskLeft[ARGV[i]] = tonumber(ARGV[i + 1])
  i = i + 2
end
local firstBound = i
${STARTED_STATS_LUA}
local function stat(kind, task, rest, by)
  redis.call("HINCRBY", K .. "stats", "[" .. kind .. "," .. ARGV[5] .. "," .. task .. rest .. "]", by)
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
local claimed, heldTasks, held, queueHeld = {}, {}, {}, 0
for _, head in ipairs((readyHeads(tonumber(ARGV[6])))) do
  if #claimed >= limit then break end
  local id = head.id
  local key = K .. "job:" .. id
  if redis.call("HGET", key, "state") ~= "queued" then
    unready(head)
  else
    local name = redis.call("HGET", key, "task")
    local taskHeld = (taskLeft[name] or math.huge) <= 0
    if taskHeld and not held[name] then
      held[name] = true
      heldTasks[#heldTasks + 1] = name
    end
    if queueLeft <= 0 then
      queueHeld = 1
      break
    end
    if not taskHeld then
      unready(head)
      queueLeft = queueLeft - 1
      if taskLeft[name] then taskLeft[name] = taskLeft[name] - 1 end
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
      local task = cjson.encode(name)
      local wait = math.max(0, now - tonumber(redis.call("HGET", key, "runAt")))
      countStarted(stat, task, wait)
      claimed[#claimed + 1] = { id, redis.call("HGETALL", key) }
    end
  end
end
return { claimed, heldTasks, queueHeld }`,
};
