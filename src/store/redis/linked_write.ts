/**
 * Writes of records of several queues, all or nothing, as one `write_linked` script: each
 * record new (`before` null), changed from `before` or deleted (`after` null), written only
 * if every one is still at the version read. What a delete that cancels its dependants is
 * written with.
 *
 * @example
 * ```ts ignore
 * const written = await writeLinked(redis, keys, [{ before: job, after: null }, ...dependants]);
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import type { RedisKeys } from "./keys.ts";
import { encodeJob } from "./record.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";

/** One record to write: new (`before` null), changed from `before`, or deleted (`after` null). */
export interface Write {
  before: Job | null;
  after: Job | null;
}

/**
 * The `write_linked` script's arguments for `writes`: per record its queue's prefix and
 * name, id, expected version ("" for new) and its fields.
 */
function linkedWriteArgs(keys: RedisKeys, writes: Write[]): string[] {
  return writes.flatMap(({ before, after }) => {
    const job = (after ?? before)!;
    const fields = after ? encodeJob(after) : [];
    return [
      keys.queue(job.queue),
      job.queue,
      job.id,
      before ? String(before.version) : "",
      String(fields.length / 2),
      ...fields,
    ];
  });
}

/**
 * Writes `writes` together; false (nothing written) when one record is no longer at the
 * version read.
 *
 * @example
 * ```ts ignore
 * const deleted = await writeLinked(redis, keys, [{ before: job, after: null }]);
 * ```
 */
export async function writeLinked(
  redis: ScriptedRedis,
  keys: RedisKeys,
  writes: Write[],
): Promise<boolean> {
  const args = linkedWriteArgs(keys, writes);
  const written = await redis.tqWriteLinked(
    keys.queues,
    keys.wake,
    keys.queues,
    String(writes.length),
    ...args,
  );
  return written === 1;
}
