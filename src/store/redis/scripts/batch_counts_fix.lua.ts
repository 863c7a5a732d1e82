/**
 * Sets a batch's counts, kept per queue (`{prefix:queue}:batch:<id>`), to new totals if
 * their sums are still what the caller read: the difference goes to the first queue's hash.
 * A queue's own counts (`{prefix:queue}:counts`) are set the same way, as one hash. For
 * `tq doctor` (`../audit.ts`).
 *
 * ```
 * KEYS     none (the hashes' keys are in ARGV, each in the batch's slot)
 * ARGV[1]  how many hashes, h;  ARGV[2..h+1] their keys
 * then     the number of states s, and s triples: state, count read, count to set
 * Returns  1 if written, 0 if the counts moved meanwhile
 * ```
 *
 * @example
 * ```ts
 * import { BATCH_COUNTS_FIX } from "./batch_counts_fix.lua.ts";
 * console.assert(BATCH_COUNTS_FIX.keys === 0);
 * ```
 * @module
 */

/** The script and its number of keys. */
export const BATCH_COUNTS_FIX = {
  keys: 0,
  lua: `local h = tonumber(ARGV[1])
local s = tonumber(ARGV[h + 2])
for t = 0, s - 1 do
  local at = h + 3 + 3 * t
  local sum = 0
  for k = 2, h + 1 do sum = sum + tonumber(redis.call("HGET", ARGV[k], ARGV[at]) or "0") end
  if sum ~= tonumber(ARGV[at + 1]) then return 0 end
end
for t = 0, s - 1 do
  local at = h + 3 + 3 * t
  local delta = tonumber(ARGV[at + 2]) - tonumber(ARGV[at + 1])
  if delta ~= 0 then redis.call("HINCRBY", ARGV[2], ARGV[at], delta) end
end
return 1`,
};
