/**
 * Claims ready jobs under caps (`CappedClaimParams.caps`) from queues in priority order, a
 * later queue only for what the earlier ones lacked: what `claim_jobs.lua.ts` does, but a job
 * is taken only while its task's cap and its queue's cap allow, the rule of
 * `src/store/claim_caps.ts` (task caps hold across the queues). Jobs past a cap stay in their
 * index (`fifo` or `ready`, see `ready.lua.ts`), untouched; the script looks past them, up to
 * `scan` entries per queue, so other tasks keep flowing, and tells which caps held them back
 * (each cap used up of a job passed over); it stops at the first job past a queue's used-up
 * cap. One script for every queue, as the plain claim: one round trip per claim (on a Redis
 * Cluster every queue's keys share the prefix's hash tag, so one slot, see `keys.ts`).
 *
 * ```
 * KEYS[1…n]  the queues' key prefixes, "{prefix:queue}:", in priority order
 * ARGV[1]  limit;  ARGV[2]  workerId;  ARGV[3]  now (startedAt);  ARGV[4]  leaseExpiresAt
 * ARGV[5]  how many ready members to look at per queue
 * ARGV[6…5+n]  the queues' caps, in the order of KEYS ("" for none)
 * ARGV[6+n]  how many task caps follow; then per task: its name, its cap
 * Returns  { per queue, in the order of KEYS: { id, flat HGETALL } per claimed job, best first;
 *            the tasks whose cap held a job back;
 *            per queue, in the order of KEYS: 1 if its cap held a job back, else 0 }
 * ```
 *
 * @example
 * ```ts
 * import { CLAIM_CAPPED } from "./claim_capped.lua.ts";
 * console.assert(CLAIM_CAPPED.keys === undefined); // the caller passes how many queues
 * ```
 * @module
 */
import { READY_LUA } from "./ready.lua.ts";

/** The script; its number of keys (one per queue) comes first in each call. */
export const CLAIM_CAPPED = {
  keys: undefined,
  lua: `-- K: the queue being claimed from (readyHeads reads it).
local K
${READY_LUA}
local n = #KEYS
local left = tonumber(ARGV[1])
local scan = tonumber(ARGV[5])
local taskLeft = {}
local i = 7 + n
for t = 1, tonumber(ARGV[6 + n]) do
  taskLeft[ARGV[i]] = tonumber(ARGV[i + 1])
  i = i + 2
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
local heldTasks, held = {}, {}
local function holdTask(name)
  if not held[name] then
    held[name] = true
    heldTasks[#heldTasks + 1] = name
  end
end
-- Claims up to left jobs of queue K under its cap queueLeft; answers them, and 1 if the
-- queue's cap held one back.
local function claimQueue(queueLeft)
  local claimed = {}
  for _, head in ipairs((readyHeads(scan))) do
    if #claimed >= left then break end
    local id = head.id
    local key = K .. "job:" .. id
    if redis.call("HGET", key, "state") ~= "queued" then
      unready(head)
    else
      local name = redis.call("HGET", key, "task")
      local taskHeld = (taskLeft[name] or math.huge) <= 0
      if taskHeld then holdTask(name) end
      if queueLeft <= 0 then return claimed, 1 end
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
        claimed[#claimed + 1] = { id, redis.call("HGETALL", key) }
      end
    end
  end
  return claimed, 0
end
local byQueue, queuesHeld = {}, {}
for q = 1, n do
  K = KEYS[q]
  local cap = ARGV[5 + q]
  local claimed, queueHeld = {}, 0
  if left > 0 then claimed, queueHeld = claimQueue(cap ~= "" and tonumber(cap) or math.huge) end
  byQueue[q], queuesHeld[q] = claimed, queueHeld
  left = left - #claimed
end
return { byQueue, heldTasks, queuesHeld }`,
};
