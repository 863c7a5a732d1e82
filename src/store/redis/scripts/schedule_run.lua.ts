/**
 * One run of a schedule: with a tick, nothing is written when that tick (or a later one)
 * is recorded or the schedule is paused; otherwise the job is inserted (as
 * `insert_jobs.lua.ts` does) and the run recorded, atomically. The schedule's hash sits
 * outside the queue's hash tag, so on a Redis Cluster this script needs both in one slot.
 *
 * ```
 * KEYS[1]  the queue's key prefix;  KEYS[2]  the schedule's hash
 * KEYS[3]  the set of queues
 * ARGV[1]  the wake channel;  ARGV[2]  the queue's name;  ARGV[3]  the tick, or ""
 * ARGV[4]  the job's createdAt;  then the job: id, n, n field/value pairs (record.ts),
 *          then its statistics: n, n field/increment pairs
 * Returns  "enqueued", "duplicate" or "paused".
 * ```
 *
 * @example
 * ```ts
 * import { SCHEDULE_RUN } from "./schedule_run.lua.ts";
 * console.assert(SCHEDULE_RUN.keys === 3);
 * ```
 * @module
 */
import { INDEXES_LUA } from "./indexes.lua.ts";

/** The script and its number of keys. */
export const SCHEDULE_RUN = {
  keys: 3,
  lua: `local K = KEYS[1]
${INDEXES_LUA}
local tick = ARGV[3]
if tick ~= "" then
  local last = redis.call("HGET", KEYS[2], "lastTickAt")
  if last and tonumber(last) >= tonumber(tick) then return "duplicate" end
  if redis.call("HGET", KEYS[2], "paused") == "1" then return "paused" end
end
local id = ARGV[5]
if redis.call("EXISTS", K .. "job:" .. id) == 1 then return redis.error_reply("exists " .. id) end
addStats(7 + 2 * tonumber(ARGV[6]))
insertOne(5, KEYS[3])
redis.call("HSET", KEYS[2], "lastRunAt", ARGV[4], "lastJobId", id)
if tick ~= "" then redis.call("HSET", KEYS[2], "lastTickAt", tick) end
return "enqueued"`,
};
