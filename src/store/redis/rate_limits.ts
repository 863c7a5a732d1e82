/**
 * Claims under rate limits on Redis: one `claim_limited` script per queue takes the jobs
 * and records their starts in the windows they count against, atomically, so the limits
 * hold across every worker on every host (see `scripts/claim_limited.lua.ts`). Only
 * workers whose registry has limits come here; every other claim takes the plain script.
 *
 * @example
 * ```ts ignore
 * const limited = new RedisRateLimits(redis, keys, systemClock);
 * const jobs = await limited.claim(params, ["mail"]);
 * const waitMs = limited.waitMs(1_000); // until a window frees, at most 1 s
 * ```
 * @module
 */
import type { Clock } from "../../clock.ts";
import type { Job } from "../../job.ts";
import type { RateLimits } from "../../guards/rate_limit.ts";
import type { JobClaimParams } from "../store.ts";
import type { RedisKeys } from "./keys.ts";
import { decodeClaimed } from "./record.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";

/** Ready members one script looks at: how far past held-back jobs a claim looks. */
const SCAN_MEMBERS = 300;

/** Rate-limited claims of one store, and when a held-back job could next start. */
export class RedisRateLimits {
  readonly #redis: ScriptedRedis;
  readonly #keys: RedisKeys;
  readonly #clock: Clock;
  /** After the last claim: when a held-back job could start, by the store's clock. */
  #wakeAt = Infinity;

  constructor(redis: ScriptedRedis, keys: RedisKeys, clock: Clock) {
    this.#redis = redis;
    this.#keys = keys;
    this.#clock = clock;
  }

  /** How long an idle claimant should wait at most: `timeoutMs`, or less if a window frees. */
  waitMs(timeoutMs: number): number {
    return Math.max(0, Math.min(timeoutMs, this.#wakeAt - this.#clock.now()));
  }

  /** `jobClaim` for `queues` (paused ones already left out) under `rateLimits`. */
  async claim(
    { rateLimits, workerId, limit, leaseMs, now }: JobClaimParams & { rateLimits: RateLimits },
    queues: string[],
  ): Promise<Job[]> {
    const claimed: Job[] = [];
    const tasks = Object.entries(rateLimits.tasks)
      .flatMap(([name, { max, per }]) => [name, String(max), String(per)]);
    let wakeAt = Infinity;
    for (const queue of queues) {
      if (claimed.length >= limit) break;
      const own = Object.hasOwn(rateLimits.queues, queue) ? rateLimits.queues[queue] : undefined;
      const [wake, replies] = await this.#redis.tqClaimLimited(
        this.#keys.queue(queue),
        String(limit - claimed.length),
        workerId,
        String(now),
        String(now + leaseMs),
        String(SCAN_MEMBERS),
        `${this.#keys.prefix}:rate:`,
        own ? `queue:${queue}` : "",
        String(own?.max ?? 0),
        String(own?.per ?? 0),
        String(tasks.length / 3),
        ...tasks,
      );
      if (wake !== "") wakeAt = Math.min(wakeAt, Number(wake));
      claimed.push(...replies.map((reply) => decodeClaimed(reply, queue)));
    }
    this.#wakeAt = wakeAt;
    return claimed;
  }
}
