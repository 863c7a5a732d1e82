/**
 * Claims up to `limit` ready jobs from queues in priority order: each queue's best first (the
 * heads of `fifo` and `ready` merged, see `ready.lua.ts`), a later queue only for what the
 * earlier ones lacked. It applies what `claimJob` of `src/transitions/` does (state
 * started, attempts and version +1, startedAt, workerId, leaseExpiresAt) to the record's
 * hash fields; the JSON part is never touched. Being one script, no job goes to two claimants, whatever the hosts; and a worker serving several
 * queues pays one round trip per claim, not one per queue (on a Redis Cluster every queue's
 * keys share the prefix's hash tag, so one slot, see `keys.ts`).
 *
 * ```
 * KEYS[1…n]  the queues' key prefixes, "{prefix:queue}:", in priority order
 * ARGV[1]  limit;  ARGV[2]  workerId;  ARGV[3]  now (startedAt);  ARGV[4]  leaseExpiresAt
 * Returns  per queue, in the order of KEYS: per claimed job, best first: { its id, its flat HGETALL }
 * ```
 *
 * @example
 * ```ts
 * import { CLAIM_JOBS } from "./claim_jobs.lua.ts";
 * console.assert(CLAIM_JOBS.keys === undefined); // the caller passes how many queues
 * ```
 * @module
 */
import { READY_LUA } from "./ready.lua.ts";
import { SUMS_LUA } from "./sums.lua.ts";

/** The script; its number of keys (one per queue) comes first in each call. */
export const CLAIM_JOBS = {
  keys: undefined,
  lua: `-- K: the queue being claimed from (readyHeads reads it).
local K
${READY_LUA}
-- Counts and batch counts go through incr() and are written by flushSums().
${SUMS_LUA}
-- Index entries go in a few calls per key (unpack takes at most a few thousand values).
local function each(command, key, args)
  for i = 1, #args, 1000 do
    redis.call(command, key, unpack(args, i, math.min(i + 999, #args)))
  end
end
-- Claims up to n jobs of queue K; returns them.
local function claimQueue(n)
  local heads, fromFifo, fromReady = readyHeads(n)
  if #heads == 0 then return {} end
  -- The heads are the first entries of each index: removing them by rank is one call each.
  if fromFifo > 0 then redis.call("ZREMRANGEBYRANK", K .. "fifo", 0, fromFifo - 1) end
  if fromReady > 0 then redis.call("ZREMRANGEBYRANK", K .. "ready", 0, fromReady - 1) end
  local claimed = {}
  local leases, started, listed = {}, {}, {}
  for _, head in ipairs(heads) do
    local id = head.id
    -- A job from ready leaves its listing too; one from fifo had no other.
    if head.member then listed[#listed + 1] = id end
    local key = K .. "job:" .. id
    local f = redis.call("HMGET", key, "state", "version", "attempts", "batchId")
    if f[1] == "queued" then
      redis.call("HSET", key, "version", tonumber(f[2]) + 1, "attempts", tonumber(f[3] or 0) + 1,
        "state", "started", "startedAt", ARGV[3], "workerId", ARGV[2], "leaseExpiresAt", ARGV[4])
      leases[#leases + 1] = ARGV[4]
      leases[#leases + 1] = id
      started[#started + 1] = 0
      started[#started + 1] = id
      incr(K .. "counts", "queued", -1)
      incr(K .. "counts", "started", 1)
      if f[4] then
        incr(K .. "batch:" .. f[4], "queued", -1)
        incr(K .. "batch:" .. f[4], "started", 1)
      end
      claimed[#claimed + 1] = { id, redis.call("HGETALL", key) }
    end
  end
  each("ZADD", K .. "lease", leases)
  each("ZADD", K .. "state:started", started)
  each("ZREM", K .. "state:queued", listed)
  return claimed
end
-- A later queue only for what the earlier ones lacked.
local left = tonumber(ARGV[1])
local byQueue = {}
for q = 1, #KEYS do
  K = KEYS[q]
  local claimed = left > 0 and claimQueue(left) or {}
  byQueue[q] = claimed
  left = left - #claimed
end
flushSums()
return byQueue`,
};
