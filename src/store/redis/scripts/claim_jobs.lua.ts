/**
 * Claims up to `limit` ready jobs of one queue, best first, applying what `claimJob` of
 * `src/transitions.ts` does (state started, attempts and version +1, startedAt, workerId,
 * leaseExpiresAt) to the record's hash fields; the JSON part is never touched, and adds
 * what `statDeltas` of `src/metrics/stat_deltas.ts` counts for a start (the event and the
 * wait histogram). Being one script, no job goes to two claimants, whatever the hosts.
 *
 * ```
 * KEYS[1]  the queue's key prefix, "{prefix:queue}:"
 * ARGV[1]  limit;  ARGV[2]  workerId;  ARGV[3]  now (startedAt);  ARGV[4]  leaseExpiresAt
 * ARGV[5]  the queue's name, JSON-encoded;  ARGV[6…]  the histogram bucket bounds, in ms
 * Returns  one flat HGETALL reply per claimed job, best first
 * ```
 *
 * @example
 * ```ts
 * import { CLAIM_JOBS } from "./claim_jobs.lua.ts";
 * console.assert(CLAIM_JOBS.keys === 1);
 * ```
 * @module
 */

/** The script and its number of keys. */
export const CLAIM_JOBS = {
  keys: 1,
  lua: `local K = KEYS[1]
local members = redis.call("ZRANGE", K .. "ready", 0, tonumber(ARGV[1]) - 1)
local claimed = {}
local now = tonumber(ARGV[3])
local function bucket(ms)
  for b = 6, #ARGV do
    if ms <= tonumber(ARGV[b]) then return b - 6 end
  end
  return #ARGV - 5
end
-- Statistic fields are JSON keys; JS reads them back with JSON.parse.
local function stat(kind, task, rest, by)
  redis.call("HINCRBY", K .. "stats", "[" .. kind .. "," .. ARGV[5] .. "," .. task .. rest .. "]", by)
end
for _, member in ipairs(members) do
  redis.call("ZREM", K .. "ready", member)
  local id = string.sub(member, 17)
  local key = K .. "job:" .. id
  if redis.call("HGET", key, "state") == "queued" then
    redis.call("HINCRBY", key, "version", 1)
    redis.call("HINCRBY", key, "attempts", 1)
    redis.call("HSET", key, "state", "started", "startedAt", ARGV[3], "workerId", ARGV[2],
      "leaseExpiresAt", ARGV[4])
    redis.call("ZADD", K .. "lease", ARGV[4], id)
    redis.call("ZREM", K .. "state:queued", id)
    redis.call("ZADD", K .. "state:started", 0, id)
    redis.call("HINCRBY", K .. "counts", "queued", -1)
    redis.call("HINCRBY", K .. "counts", "started", 1)
    local batch = redis.call("HGET", key, "batchId")
    if batch then
      redis.call("HINCRBY", K .. "batch:" .. batch, "queued", -1)
      redis.call("HINCRBY", K .. "batch:" .. batch, "started", 1)
    end
    local task = cjson.encode(redis.call("HGET", key, "task"))
    local wait = math.max(0, now - tonumber(redis.call("HGET", key, "runAt")))
    stat('"jobs","started"', task, "", 1)
    stat('"hist","wait"', task, "," .. bucket(wait), 1)
    stat('"hist_ms","wait"', task, "", wait)
    claimed[#claimed + 1] = redis.call("HGETALL", key)
  end
end
return claimed`,
};
