/**
 * The claim of a protocol worker: the very claim TypeScript workers make (priority, run-at
 * and groups apply, since the store decides them; rate limits through
 * `src/guards/rate_limit_tokens.ts`; paused queues are left out, as `claim_loop.ts` does),
 * from queues of external tasks only, long-polling up to `waitMs` on the store's wake-up
 * (`workWait`) when nothing is ready. Each job comes with its lease token.
 *
 * @example
 * ```ts ignore
 * const jobs = await protocolClaim({ store, registry, clock }, {
 *   queues: ["python"], worker: "py-1", limit: 4, leaseMs: 30_000, waitMs: 10_000,
 * });
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import { InvalidInputError } from "../errors.ts";
import { parentResults } from "../flows/parents.ts";
import { collectRateLimits } from "../guards/rate_limit.ts";
import { claimWithinRateLimits } from "../guards/rate_limit_tokens.ts";
import type { Job } from "../job.ts";
import type { Logger } from "../log.ts";
import type { Registry } from "../registry/registry.ts";
import type { Store } from "../store/store.ts";
import { expireJob, isExpired } from "../transitions/mod.ts";
import { leaseToken } from "./lease_token.ts";
import { PAUSE_REFRESH_MS, QueuePauses } from "../guards/queue_pauses.ts";

/** Longest single wait for a wake-up before the queues are looked at again. */
const WAKE_CHECK_MS = 1_000;

/** How long a job canceled as expired at claim is kept, as `tq worker`'s default. */
const EXPIRED_TTL_MS = 7 * 86_400_000;

/** What a claim asks for. */
export interface ProtocolClaimParams {
  queues: string[];
  /** The worker's name, written into the jobs it holds. */
  worker: string;
  limit: number;
  leaseMs: number;
  /** Longest wait, in real ms, for a job when none is ready. */
  waitMs: number;
  /** Aborts the wait (the client went away). */
  signal?: AbortSignal;
}

/** A job as a protocol worker receives it. */
export interface ClaimedJob {
  job: Job;
  leaseToken: string;
  parents: Readonly<Record<string, unknown>>;
}

/**
 * Throws `InvalidInputError` for queues that hold no external task: TypeScript workers own
 * every other queue, and a protocol worker claiming there would take their jobs.
 *
 * @example
 * ```ts ignore
 * assertExternalQueues(registry, ["python"]);
 * ```
 */
export function assertExternalQueues(registry: Registry, queues: string[]): void {
  const issues = queues.flatMap((queue, i) =>
    registry.externalQueues.has(queue) ? [] : [{
      path: `queues.${i}`,
      message: `queue "${queue}" holds no external task (external queues: ${
        [...registry.externalQueues].join(", ") || "none"
      })`,
    }]
  );
  if (issues.length > 0) throw new InvalidInputError(issues);
}

/**
 * Claims up to `limit` jobs, waiting up to `waitMs` for the first when none is ready.
 *
 * @example
 * ```ts ignore
 * const claimed = await protocolClaim({ store, registry, clock, logger }, params);
 * ```
 */
export async function protocolClaim(
  deps: { store: Store; registry: Registry; clock: Clock; logger: Logger },
  params: ProtocolClaimParams,
): Promise<ClaimedJob[]> {
  const { store, registry, clock, logger } = deps;
  const { queues, worker, limit, leaseMs, waitMs, signal } = params;
  assertExternalQueues(registry, queues);
  const rateLimits = collectRateLimits(registry.list(), registry.queueRateLimits);
  const deadline = clock.now() + waitMs;
  // Wake-ups heard by the store when the last wait ended (0: since it opened), so news that
  // comes while this claims ends the next wait at once.
  let heard = 0;
  // The rate limits whose jobs the last look left ready (`rate_limit_tokens.ts`).
  let ready: string[] = [];
  while (true) {
    const now = clock.now();
    const open = await QueuePauses.of(store, clock).filter(queues);
    const limited = open.length === 0 ? { jobs: [], ready } : await claimWithinRateLimits(store, {
      queues: open,
      workerId: worker,
      limit,
      leaseMs,
      now,
      rateLimits,
      ready,
      // The jobs are claimed; only unused rate-limit starts were not given back (an
      // under-used window), which the worker's own claim logs the same way.
      onLateError: (error) => logger.warn("rate_limit:claim_incomplete", { error: String(error) }),
    });
    const claimed = limited.jobs;
    ready = limited.ready;
    // Past its expiry a job never runs: canceled as expired (the attempt given back), as a
    // TypeScript worker does at its claim.
    const expired = claimed.filter((job) => isExpired(job, now));
    const jobs = claimed.filter((job) => !expired.includes(job));
    if (expired.length > 0) {
      await store.jobUpdateMany({
        updates: expired.map((job) => ({
          before: job,
          after: expireJob(job, { now, ttlMs: EXPIRED_TTL_MS }),
        })),
      });
    }
    const left = deadline - clock.now();
    if (expired.length > 0 && jobs.length === 0 && left > 0 && !signal?.aborted) continue;
    if (jobs.length > 0 || left <= 0 || signal?.aborted) {
      return await Promise.all(jobs.map(async (job) => ({
        job,
        leaseToken: leaseToken(job, leaseMs),
        parents: await parentResults(store, job),
      })));
    }
    // While a queue is paused, look again once the view of the pauses is due (a resume).
    const checkMs = open.length < queues.length ? PAUSE_REFRESH_MS : WAKE_CHECK_MS;
    heard = await store.workWait({
      queues,
      timeoutMs: Math.min(left, checkMs),
      signal,
      since: heard,
    });
  }
}
