/**
 * Finds the queues of jobs by id alone: each id is looked for under every queue that has
 * held a job, so a lookup costs one `EXISTS` per queue tried (about a microsecond each
 * inside Redis) and no key per job is kept for it. The caller reads the records it found
 * in a pipeline: a script handing them back would convert every field twice (Redis to Lua
 * and back), several times the cost of `HGETALL`. The queues' keys are built from the affixes of
 * `RedisKeys.queueAffixes`; on a Redis Cluster the `{tag}` prefix keeps them in the slot of
 * `KEYS[1]`.
 *
 * ```
 * KEYS[1]  the set of queues
 * ARGV[1]  what goes before a queue's name in its key prefix;  ARGV[2]  what goes after it
 * ARGV[3…] the ids
 * Returns  per id, in order: its queue, or nil when no queue holds it
 * ```
 *
 * @example
 * ```ts
 * import { LOCATE_JOBS } from "./locate_jobs.lua.ts";
 * console.assert(LOCATE_JOBS.keys === 1);
 * ```
 * @module
 */

/** The script and its number of keys. */
export const LOCATE_JOBS = {
  keys: 1,
  lua: `local queues = redis.call("SMEMBERS", KEYS[1])
local found = {}
for i = 3, #ARGV do
  found[i - 2] = false
  for _, queue in ipairs(queues) do
    if redis.call("EXISTS", ARGV[1] .. queue .. ARGV[2] .. "job:" .. ARGV[i]) == 1 then
      found[i - 2] = queue
      break
    end
  end
end
return found`,
};
