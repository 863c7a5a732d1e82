/**
 * Capped claims on Redis (`Store.jobClaimCapped`): one `claim_capped` script over the
 * claim's queues, in order, takes the jobs the caps allow and tells which caps held jobs back
 * (see `scripts/claim_capped.lua.ts`): one round trip, as the plain claim.
 *
 * @example
 * ```ts ignore
 * const { jobs, heldBack } = await claimCapped(redis, keys, { ...params, caps: { tasks: { send: 0 } } });
 * ```
 * @module
 */
import type { CappedClaim, CappedClaimParams } from "../store.ts";
import type { RedisKeys } from "./keys.ts";
import { decodeClaimed } from "./record.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";

/** Ready members the script looks at per queue: how far past held-back jobs a claim looks. */
const SCAN_MEMBERS = 300;

/**
 * `jobClaimCapped`, for `params.queues` in order (a later queue only for what the earlier
 * ones lacked).
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
  if (queues.length === 0) return { jobs: [], heldBack: { tasks: [], queues: [] } };
  const { tasks = {}, queues: queueCaps = {} } = caps;
  const [byQueue, heldTasks, queuesHeld] = await redis.tqClaimCapped(
    queues.length,
    ...queues.map((queue) => keys.queue(queue)),
    String(limit),
    workerId,
    String(now),
    String(now + leaseMs),
    String(SCAN_MEMBERS),
    ...queues.map((queue) => Object.hasOwn(queueCaps, queue) ? String(queueCaps[queue]) : ""),
    String(Object.keys(tasks).length),
    ...Object.entries(tasks).flatMap(([task, cap]) => [task, String(cap)]),
  );
  return {
    jobs: queues.flatMap((queue, i) => byQueue[i].map((reply) => decodeClaimed(reply, queue))),
    heldBack: {
      tasks: [...heldTasks].sort(),
      queues: queues.filter((_, i) => queuesHeld[i] === 1).sort(),
    },
  };
}
