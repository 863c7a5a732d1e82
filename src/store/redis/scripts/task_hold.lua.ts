/**
 * Holds a task until a time, never shortening a hold in place: the hash of task holds maps
 * each task to the epoch ms its hold ends (`Store.taskHold`, `src/guards/task_holds.ts`).
 *
 * ```
 * KEYS[1]  the hash of task holds (`<prefix>:task_holds`)
 * ARGV[1]  the task
 * ARGV[2]  the end of the hold, epoch ms
 * Returns  1 when the hold was set or extended, 0 when a later one was in place.
 * ```
 *
 * @example
 * ```ts
 * import { TASK_HOLD } from "./task_hold.lua.ts";
 * console.assert(TASK_HOLD.keys === 1);
 * ```
 * @module
 */

/** The script and its number of keys. */
export const TASK_HOLD = {
  keys: 1,
  lua: `local held = tonumber(redis.call("HGET", KEYS[1], ARGV[1]) or "-1")
if held >= tonumber(ARGV[2]) then return 0 end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
return 1`,
};
