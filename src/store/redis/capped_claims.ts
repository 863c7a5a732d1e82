/**
 * Capped claims on Redis (`JobClaimParams.caps`): one `claim_capped` script per queue, in
 * order, takes the jobs its caps allow (see `scripts/claim_capped.lua.ts`); the task caps
 * left after one queue go to the next. Only claims with caps come here; every other claim
 * takes the plain script.
 *
 * @example
 * ```ts ignore
 * const jobs = await claimCapped(redis, keys, { ...params, caps: { tasks: { send: 2 } } });
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import { BUCKETS_SECONDS } from "../../metrics/stat_deltas.ts";
import { CapsLeft } from "../claim_caps.ts";
import type { ClaimCaps, JobClaimParams } from "../store.ts";
import type { RedisKeys } from "./keys.ts";
import { decodeClaimed } from "./record.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";

/** Ready members one script looks at: how far past held-back jobs a claim looks. */
const SCAN_MEMBERS = 300;
const BUCKET_BOUNDS_MS = BUCKETS_SECONDS.map((seconds) => String(seconds * 1000));

/**
 * `jobClaim` with `caps`, for `params.queues` in order (a later queue only for what the
 * earlier ones lacked).
 *
 * @example
 * ```ts ignore
 * const jobs = await claimCapped(redis, keys, { queues: ["mail"], workerId, limit: 10, leaseMs, now, caps });
 * ```
 */
export async function claimCapped(
  redis: ScriptedRedis,
  keys: RedisKeys,
  { queues, workerId, limit, leaseMs, now, caps }: JobClaimParams & { caps: ClaimCaps },
): Promise<Job[]> {
  const claimed: Job[] = [];
  const left = new CapsLeft(caps);
  for (const queue of queues) {
    if (claimed.length >= limit) break;
    if (left.queueFull(queue)) continue;
    const { tasks = {}, queues: queueCaps = {} } = left.remaining();
    const replies = await redis.tqClaimCapped(
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
  }
  return claimed;
}
