/**
 * A record commit (`../../records.ts`): only if every check holds, every new job's id is
 * new and every updated job is still at the version read, puts and deletes keyed records
 * (with their spaces' two indexes, as `../records.ts` lays them out), inserts jobs (as
 * `insert_jobs.lua.ts` does) and updates jobs (as `update_jobs.lua.ts` does), else writes
 * nothing. A record's version on Redis is its stored text: "still as read" means the same
 * text. Every key is declared; on a Redis Cluster the `{tag}` prefix puts them in one slot.
 * Arguments name keys by their place in `KEYS`, so a key used twice is declared once.
 *
 * ```
 * KEYS[1]  the set of queues;  KEYS[2…]  the records, their spaces' indexes, the queues' prefixes
 * ARGV[1]  the wake channel;  ARGV[2]  now, epoch ms by the store's clock
 * then c, and c checks:   record (KEYS place), "none" or "is", the text read ("" for none)
 * then p, and p puts:     record, expiry index, key index (KEYS places), key, JSON, TTL ms or ""
 * then d, and d deletes:  record, expiry index, key index (KEYS places), key
 * then q, and q queues:   prefix (KEYS place), name, n jobs: id, f, f field/value pairs
 *                         (record.ts) each
 * then v, and v queues:   prefix (KEYS place), name, n updates: id, version read, f, f
 *                         field/value pairs set, r, r fields removed
 * Returns  1 when written, 0 when a check failed; an error "exists <id>" writes nothing.
 * ```
 *
 * @example
 * ```ts
 * import { RECORD_COMMIT } from "./record_commit.lua.ts";
 * console.assert(RECORD_COMMIT.keys === undefined);
 * ```
 * @module
 */
import { INDEXES_LUA } from "./indexes.lua.ts";

/** The script; its number of keys varies, so callers pass it first. */
export const RECORD_COMMIT = {
  keys: undefined,
  lua: `local K = false
${INDEXES_LUA}
local now = tonumber(ARGV[2])
local i = 3
for _ = 1, tonumber(ARGV[i]) do
  local held = redis.call("GET", KEYS[tonumber(ARGV[i + 1])])
  if ARGV[i + 2] == "none" then
    if held then return 0 end
  elseif held ~= ARGV[i + 3] then return 0 end
  i = i + 3
end
local puts, p = i + 2, tonumber(ARGV[i + 1])
i = puts + 6 * p
local deletes, d = i + 1, tonumber(ARGV[i])
local queues, q = deletes + 4 * d + 1, tonumber(ARGV[deletes + 4 * d])
-- Every job must be new before anything is written.
local at = queues
for _ = 1, q do
  local prefix = KEYS[tonumber(ARGV[at])]
  local total = tonumber(ARGV[at + 2])
  at = at + 3
  for _ = 1, total do
    if redis.call("EXISTS", prefix .. "job:" .. ARGV[at]) == 1 then
      return redis.error_reply("exists " .. ARGV[at])
    end
    at = at + 2 + 2 * tonumber(ARGV[at + 1])
  end
end
-- Every updated job must still be at the version read.
local updates, v = at + 1, tonumber(ARGV[at])
at = updates
for _ = 1, v do
  local prefix = KEYS[tonumber(ARGV[at])]
  local total = tonumber(ARGV[at + 2])
  at = at + 3
  for _ = 1, total do
    if redis.call("HGET", prefix .. "job:" .. ARGV[at], "version") ~= ARGV[at + 1] then
      return 0
    end
    local n = tonumber(ARGV[at + 2])
    at = at + 4 + 2 * n + tonumber(ARGV[at + 3 + 2 * n])
  end
end
-- Records, and the expired keys of each space written leave its indexes (up to 1,000).
local swept = {}
for n = 0, p - 1 do
  local a = puts + 6 * n
  local record, index, byKey = KEYS[tonumber(ARGV[a])], KEYS[tonumber(ARGV[a + 1])],
    KEYS[tonumber(ARGV[a + 2])]
  local key, ttl = ARGV[a + 3], ARGV[a + 5]
  if ttl == "" then
    redis.call("SET", record, ARGV[a + 4])
    redis.call("ZADD", index, "inf", key)
  else
    redis.call("SET", record, ARGV[a + 4], "PX", ttl)
    redis.call("ZADD", index, now + tonumber(ttl), key)
  end
  redis.call("ZADD", byKey, 0, key)
  swept[index] = byKey
end
for n = 0, d - 1 do
  local a = deletes + 4 * n
  redis.call("DEL", KEYS[tonumber(ARGV[a])])
  redis.call("ZREM", KEYS[tonumber(ARGV[a + 1])], ARGV[a + 3])
  redis.call("ZREM", KEYS[tonumber(ARGV[a + 2])], ARGV[a + 3])
end
for index, byKey in pairs(swept) do
  local gone = redis.call("ZRANGEBYSCORE", index, "-inf", now, "LIMIT", 0, 1000)
  if #gone > 0 then
    redis.call("ZREM", index, unpack(gone))
    redis.call("ZREM", byKey, unpack(gone))
  end
end
-- Jobs: record, index entries, counts, the set of queues, a wake-up.
at = queues
for _ = 1, q do
  K = KEYS[tonumber(ARGV[at])]
  local queue, total = ARGV[at + 1], tonumber(ARGV[at + 2])
  local ready = false
  at = at + 3
  for _ = 1, total do
    local id, n = ARGV[at], tonumber(ARGV[at + 1])
    redis.call("HSET", K .. "job:" .. id, unpack(ARGV, at + 2, at + 1 + 2 * n))
    local f = argFields(at + 2, n)
    indexAdd(id, f)
    count(f[1], 1)
    batchCount(f[6], f[1], 1)
    ready = ready or f[1] == "queued"
    at = at + 2 + 2 * n
  end
  redis.call("SADD", KEYS[1], queue)
  if ready then redis.call("PUBLISH", ARGV[1], queue) end
end
-- Updates: the fields set and removed, index entries and counts moved.
at = updates
for _ = 1, v do
  K = KEYS[tonumber(ARGV[at])]
  local queue, total = ARGV[at + 1], tonumber(ARGV[at + 2])
  local ready = false
  at = at + 3
  for _ = 1, total do
    local id, n = ARGV[at], tonumber(ARGV[at + 2])
    local key = K .. "job:" .. id
    local old = readFields(key)
    indexRemove(id, old)
    redis.call("HSET", key, unpack(ARGV, at + 3, at + 2 + 2 * n))
    local r = tonumber(ARGV[at + 3 + 2 * n])
    if r > 0 then redis.call("HDEL", key, unpack(ARGV, at + 4 + 2 * n, at + 3 + 2 * n + r)) end
    local new = readFields(key)
    indexAdd(id, new)
    if old[1] ~= new[1] then
      count(old[1], -1)
      count(new[1], 1)
      batchCount(old[6], old[1], -1)
      batchCount(new[6], new[1], 1)
      ready = ready or new[1] == "queued"
    end
    at = at + 4 + 2 * n + r
  end
  if ready then redis.call("PUBLISH", ARGV[1], queue) end
end
return 1`,
};
