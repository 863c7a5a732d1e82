/**
 * Writes records of any queues all together or not at all: new records (which must not
 * exist) and changes of records still at the version their caller read. It serves the
 * writes that span linked jobs (`src/store/redis/linked_write.ts`): a deleted job with the
 * dependants it cancels or releases.
 * The keys of several queues are touched, so on a Redis Cluster they must share a slot.
 *
 * ```
 * KEYS[1]  the set of queues (the same as ARGV[2]): not read through KEYS, only there so a
 *          Cluster client sends the script to the node of the records' slot (the other keys
 *          are built from the prefixes below)
 * ARGV[1]  the wake channel;  ARGV[2]  the set of queues
 * ARGV[3]  how many records follow; then per record:
 *          its queue's key prefix "{prefix:queue}:", the queue's name, id,
 *          expected version ("" for a new record), n, n field/value pairs (record.ts;
 *          n = 0 deletes the record, which must be at the expected version)
 * Returns  1 if everything was written; 0 (nothing written) if a record was not as expected
 * ```
 *
 * @example
 * ```ts
 * import { WRITE_LINKED } from "./write_linked.lua.ts";
 * console.assert(WRITE_LINKED.keys === 1);
 * ```
 * @module
 */
import { INDEXES_LUA } from "./indexes.lua.ts";

/** The script and its number of keys. */
export const WRITE_LINKED = {
  keys: 1,
  lua: `local K = ""
${INDEXES_LUA}
local records = {}
local i = 4
for j = 1, tonumber(ARGV[3]) do
  local n = tonumber(ARGV[i + 4])
  records[j] = { k = ARGV[i], queue = ARGV[i + 1], id = ARGV[i + 2], version = ARGV[i + 3],
    fields = i + 5, n = n }
  i = i + 5 + 2 * n
end
for _, r in ipairs(records) do
  local current = redis.call("HGET", r.k .. "job:" .. r.id, "version")
  if r.version == "" then
    if current then return 0 end
  elseif current ~= r.version then return 0 end
end
local woken = {}
for _, r in ipairs(records) do
  K = r.k
  local key = K .. "job:" .. r.id
  local old = nil
  if r.version == "" then
    redis.call("SADD", ARGV[2], r.queue)
  else
    old = readFields(key)
    indexRemove(r.id, old)
  end
  if r.n == 0 then
    -- A delete: what delete_job.lua does.
    redis.call("DEL", key)
    count(old[1], -1)
    if old[1] ~= "finished" and old[1] ~= "failed" and old[1] ~= "canceled" then
      batchCount(old[6], old[1], -1)
    end
  else
    writeRecord(key, r.fields, r.n)
    local new = readFields(key)
    indexAdd(r.id, new)
    if not old or old[1] ~= new[1] then
      if old then count(old[1], -1) end
      count(new[1], 1)
      if old then batchCount(old[6], old[1], -1) end
      batchCount(new[6], new[1], 1)
      if new[1] == "queued" then woken[r.queue] = true end
    end
  end
end
for queue in pairs(woken) do redis.call("PUBLISH", ARGV[1], queue) end
return 1`,
};
