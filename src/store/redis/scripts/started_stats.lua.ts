/**
 * Lua shared by the two claim scripts (plain and rate-limited): the statistics of a job
 * started, counted alike whichever claimed it. The including script defines `firstBound`
 * (the index of the first histogram bound in ARGV; the bounds run to the end) before it.
 *
 * @example
 * ```ts
 * import { STARTED_STATS_LUA } from "./started_stats.lua.ts";
 * console.assert(STARTED_STATS_LUA.includes("local function countStarted"));
 * ```
 * @module
 */

/** `bucket(ms)` and `countStarted(stat, task, waitMs)`. */
export const STARTED_STATS_LUA = `
local function bucket(ms)
  for b = firstBound, #ARGV do
    if ms <= tonumber(ARGV[b]) then return b - firstBound end
  end
  return #ARGV - firstBound + 1
end
-- stat(kind, task, rest, by) writes one statistic field of the claiming queue.
local function countStarted(stat, task, wait)
  stat('"jobs","started"', task, "", 1)
  stat('"hist","wait"', task, "," .. bucket(wait), 1)
  stat('"hist_ms","wait"', task, "", wait)
end
`;
