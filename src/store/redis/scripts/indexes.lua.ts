/**
 * Lua shared by the scripts that write records (after BullMQ's `includes/`): the index
 * entries a record implies, read from its hash fields, so no index can disagree with the
 * record it was derived from. Mirrors `indexEntries` of the KV store.
 *
 * Callers define `K` (the queue's key prefix, `KEYS[1]`) before this text.
 *
 * @example
 * ```ts
 * import { INDEXES_LUA } from "./indexes.lua.ts";
 * console.assert(INDEXES_LUA.includes("local function indexAdd"));
 * ```
 * @module
 */
import { READY_LUA } from "./ready.lua.ts";

/**
 * `readFields(key)`, `argFields(i, n)`, `indexRemove(id, f)`, `indexAdd(id, f)`,
 * `count(state, delta)`,
 * `batchCount(batch, state, delta)`,
 * `writeRecord(key, i, n)`, `insertOne(at, queuesKey)`.
 */
export const INDEXES_LUA = `${READY_LUA}
-- The fields indexes are derived from: state, priority, runAt, leaseExpiresAt, expiresAt,
-- the batch whose counts the job is in, when its completion callback is due, and the event
-- and key a waiting job waits for (the last four false for most jobs).
local function readFields(key)
  return redis.call("HMGET", key, "state", "priority", "runAt", "leaseExpiresAt", "expiresAt",
    "batchId", "callbackDueAt", "waitEvent", "waitKey")
end

-- Where each field readFields returns sits, to read a record's from its ARGV pairs.
local SLOT = { state = 1, priority = 2, runAt = 3, leaseExpiresAt = 4, expiresAt = 5,
  batchId = 6, callbackDueAt = 7, waitEvent = 8, waitKey = 9 }

-- What readFields would return once the n field/value pairs of ARGV at i are written
-- (a field given twice: the last one counts), without reading them back.
local function argFields(i, n)
  local f = { false, false, false, false, false, false, false, false, false }
  for p = i, i + 2 * n - 2, 2 do
    local slot = SLOT[ARGV[p]]
    if slot then f[slot] = ARGV[p + 1] end
  end
  return f
end

-- Waiting jobs sort by the event and key they wait for, so one range finds an event's jobs.
local function waitingMember(f, id)
  return (f[8] or "") .. "\0" .. (f[9] or "") .. "\0" .. id
end

-- A job's listing is state:<its state>, but for a job in fifo, which is its own listing.
local function indexRemove(id, f)
  local state = f[1]
  if state == "queued" and inFifo(id, f[2], f[3]) then redis.call("ZREM", K .. "fifo", id)
  else
    if state == "queued" then redis.call("ZREM", K .. "ready", readyMember(f[3], id))
    elseif state == "scheduled" then redis.call("ZREM", K .. "sched", id)
    elseif state == "started" then redis.call("ZREM", K .. "lease", id)
    elseif state == "waiting" then
      redis.call("ZREM", K .. "sched", id)
      redis.call("ZREM", K .. "waiting", waitingMember(f, id))
    end
    redis.call("ZREM", K .. "state:" .. state, id)
  end
  if f[5] then redis.call("ZREM", K .. "exp", id) end
  if f[7] then redis.call("ZREM", K .. "callback", id) end
end

local function indexAdd(id, f)
  local state = f[1]
  if state == "queued" and inFifo(id, f[2], f[3]) then redis.call("ZADD", K .. "fifo", 0, id)
  else
    if state == "queued" then redis.call("ZADD", K .. "ready", f[2] or 0, readyMember(f[3], id))
    elseif state == "scheduled" then redis.call("ZADD", K .. "sched", f[3], id)
    elseif state == "started" then redis.call("ZADD", K .. "lease", f[4] or 0, id)
    elseif state == "waiting" then
      redis.call("ZADD", K .. "sched", f[3], id)
      redis.call("ZADD", K .. "waiting", 0, waitingMember(f, id))
    end
    redis.call("ZADD", K .. "state:" .. state, 0, id)
  end
  if f[5] then redis.call("ZADD", K .. "exp", f[5], id) end
  if f[7] then redis.call("ZADD", K .. "callback", f[7], id) end
end

local function count(state, delta)
  redis.call("HINCRBY", K .. "counts", state, delta)
end

-- A bulk enqueue's batch counts its jobs per state, per queue (see src/store/batches.ts).
local function batchCount(batch, state, delta)
  if batch then redis.call("HINCRBY", K .. "batch:" .. batch, state, delta) end
end

-- Replaces the hash at key with the n field/value pairs of ARGV starting at i.
local function writeRecord(key, i, n)
  redis.call("DEL", key)
  redis.call("HSET", key, unpack(ARGV, i, i + 2 * n - 1))
end

-- Inserts the one new job at ARGV[at] (id, n, then n field/value pairs) into queue ARGV[2]:
-- record, index entries, queue and batch counts, the set of queues, and a wake-up on
-- ARGV[1] when it is ready. The caller checked the id is new.
local function insertOne(at, queuesKey)
  local id = ARGV[at]
  local key = K .. "job:" .. id
  writeRecord(key, at + 2, tonumber(ARGV[at + 1]))
  local f = readFields(key)
  indexAdd(id, f)
  count(f[1], 1)
  batchCount(f[6], f[1], 1)
  redis.call("SADD", queuesKey, ARGV[2])
  if f[1] == "queued" then redis.call("PUBLISH", ARGV[1], ARGV[2]) end
end
`;
