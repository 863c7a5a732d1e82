/**
 * Lua shared by the scripts that move many jobs at once: hash increments summed per field
 * and written once at the end (`flushSums()`), each field in the order it was first
 * touched, so a hash ends as one HINCRBY per change would leave it, at a fraction of the
 * calls.
 *
 * @example
 * ```ts
 * import { SUMS_LUA } from "./sums.lua.ts";
 * console.assert(SUMS_LUA.includes("local function flushSums"));
 * ```
 * @module
 */

/** `incr(hash, field, by)` and `flushSums()`. */
export const SUMS_LUA = `
local sums, order = {}, {}
local function incr(hash, field, by)
  local k = hash .. "\\0" .. field
  if sums[k] == nil then
    sums[k] = 0
    order[#order + 1] = { hash, field, k }
  end
  sums[k] = sums[k] + by
end
local function flushSums()
  for _, o in ipairs(order) do
    redis.call("HINCRBY", o[1], o[2], sums[o[3]])
  end
end
`;
