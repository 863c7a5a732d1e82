/**
 * Capped claims on Redis (`Store.jobClaimCapped`): one `claim_capped` script per queue, in
 * order, takes the jobs its caps allow and tells which caps held jobs back (see
 * `scripts/claim_capped.lua.ts`); the task caps left after one queue go to the next.
 *
 * @example
 * ```ts ignore
 * const { jobs, heldBack } = await claimCapped(redis, keys, { ...params, caps: { tasks: { send: 0 } } });
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import { BUCKETS_SECONDS } from "../../metrics/stat_deltas.ts";
import { CapsLeft } from "../claim_caps.ts";
import type { CappedClaim, CappedClaimParams } from "../store.ts";
import type { RedisKeys } from "./keys.ts";
import { decodeClaimed } from "./record.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";

/** Ready members one script looks at: how far past held-back jobs a claim looks. */
const SCAN_MEMBERS = 300;
const BUCKET_BOUNDS_MS = BUCKETS_SECONDS.map((seconds) => String(seconds * 1000));

/**
 * `jobClaimCapped`, for `params.queues` in order (a later queue only for what the
 * earlier ones lacked).
 *
 * @example
 * ```ts ignore
 * const { jobs } = await claimCapped(redis, keys, { queues: ["mail"], workerId, limit: 10, leaseMs, now, caps });
 * ```
 */
export async function claimCapped(
  redis: ScriptedRedis,
  keys: RedisKeys,
  { queues, workerId, limit, leaseMs, now, caps }: CappedClaimParams,
): Promise<CappedClaim> {
  const claimed: Job[] = [];
  const left = new CapsLeft(caps);
  for (const queue of queues) {
    if (claimed.length >= limit) break;
    const { tasks = {}, queues: queueCaps = {} } = left.remaining();
    const [replies, heldTasks, queueHeld] = await redis.tqClaimCapped(
      keys.queue(queue),
      String(limit - claimed.length),
      workerId,
      String(now),
      String(now + leaseMs),
      JSON.stringify(queue),
      String(SCAN_MEMBERS),
      Object.hasOwn(queueCaps, queue) ? String(queueCaps[queue]) : "",
      String(Object.keys(tasks).length),
      ...Object.entries(tasks).flatMap(([task, cap]) => [task, String(cap)]),
      ...BUCKET_BOUNDS_MS,
    );
    for (const reply of replies) {
      const job = decodeClaimed(reply, queue);
      left.take(job);
      claimed.push(job);
    }
    for (const task of heldTasks) left.holdBack("tasks", task);
    if (queueHeld === 1) left.holdBack("queues", queue);
  }
  return { jobs: claimed, heldBack: left.heldBack() };
}
