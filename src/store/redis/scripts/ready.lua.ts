/**
 * Lua shared by the scripts that read or write a queue's ready jobs. They sit in one of two
 * indexes, each entry costing about 120 bytes of Redis:
 *
 * - `fifo` (score 0, member the id): jobs whose claim order is their id order, the usual
 *   ones: priority 0 and `runAt` the time in their id (a job enqueued to run now). Being
 *   sorted by id, it is also their listing, newest first: such a job costs one entry.
 * - `ready` (score the priority, member `runAt` in 16 digits then the id) for the others
 *   (a priority, a delay, a retry), with their listing in `state:queued`.
 *
 * A claim takes the best of both heads: a `fifo` id sorts as the `ready` member
 * `runAt .. id` of priority 0 would. `keys.ts` has the same test in TypeScript
 * (`claimedInIdOrder`).
 *
 * Callers define `K` (the queue's key prefix) before this text.
 *
 * @example
 * ```ts
 * import { READY_LUA } from "./ready.lua.ts";
 * console.assert(READY_LUA.includes("local function readyHeads"));
 * ```
 * @module
 */

/** `readyMember(runAt, id)`, `idTime(id)`, `inFifo(id, priority, runAt)`, `readyHeads(n)`. */
export const READY_LUA = `
-- Ready jobs sort by priority (the score; a record leaves out priority 0, see record.ts), then
-- runAt and id (the member, compared as text).
local function readyMember(runAt, id)
  return string.rep("0", 16 - #runAt) .. runAt .. id
end

local CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
local DIGIT = {}
for d = 1, 32 do DIGIT[string.byte(CROCKFORD, d)] = d - 1 end

-- The time in a ULID's first 10 characters, in digits as runAt is written; false for an id
-- that is not a ULID.
local function idTime(id)
  if #id ~= 26 then return false end
  local t = 0
  for c = 1, 10 do
    local d = DIGIT[string.byte(id, c)]
    if d == nil then return false end
    t = t * 32 + d
  end
  return string.format("%.0f", t)
end

-- Whether a queued job with these fields is in "fifo" rather than "ready".
local function inFifo(id, priority, runAt)
  return (not priority or tonumber(priority) == 0) and runAt == idTime(id)
end

-- The best n ready jobs, best first, as { id = id, member = its ready member, or nil for a
-- fifo entry }, and how many of them are the first entries of fifo and of ready.
local function readyHeads(n)
  local ids = redis.call("ZRANGE", K .. "fifo", 0, n - 1)
  local others = redis.call("ZRANGE", K .. "ready", 0, n - 1, "WITHSCORES")
  local heads = {}
  local a, b = 1, 1
  while #heads < n and (a <= #ids or b < #others) do
    local fromReady = a > #ids
    if not fromReady and b < #others then
      local priority = tonumber(others[b + 1])
      fromReady = priority < 0 or
        (priority == 0 and others[b] < readyMember(idTime(ids[a]), ids[a]))
    end
    if fromReady then
      heads[#heads + 1] = { id = string.sub(others[b], 17), member = others[b] }
      b = b + 2
    else
      heads[#heads + 1] = { id = ids[a] }
      a = a + 1
    end
  end
  return heads, a - 1, (b - 1) / 2
end
`;
