/**
 * The promoter: moves scheduled jobs (delayed, waiting out a retry's backoff, or asleep in
 * `ctx.sleep`) to their queue once `runAt` has come, and ends the waits of waiting jobs
 * whose timeout (`runAt`) has come: their `ctx.waitForEvent` resolves null. It sleeps until
 * the earliest `runAt` it knows of. Another process may schedule an earlier job at any
 * time, so on a store that tells of new timed jobs (`Store.timerWait`) it wakes for those
 * too and sleeps at most {@linkcode PROMOTE_IDLE_SLEEP_MS}; on one that doesn't, it looks
 * again every {@linkcode PROMOTE_MAX_SLEEP_MS}. A due job already past its expiry (`startBy`) is canceled as expired
 * instead of queued. Every worker runs one; when two promote the same job, one write conflicts
 * and that is fine.
 *
 * @example
 * ```ts ignore
 * const promoter = new Promoter({ store, clock, logger });
 * promoter.start();
 * await promoter.stop();
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import type { Job } from "../job.ts";
import { expireJob, isExpired, promoteJob, resumeJob } from "../transitions/mod.ts";
import { Service } from "../service.ts";

/** Longest sleep between looks at the schedule, on a store without `timerWait`. */
export const PROMOTE_MAX_SLEEP_MS = 100;

/**
 * Longest sleep on a store with `timerWait`: a safety net for a wake-up lost on its way
 * (a process of an older tq that does not ring, say), not the way jobs are found.
 */
export const PROMOTE_IDLE_SLEEP_MS = 30_000;

/** Jobs promoted per write. */
const PROMOTE_BATCH = 100;

/** What a {@linkcode Promoter} needs. */
export interface PromoterOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** How long a job canceled as expired is kept (the worker's `failureTtlMs`). */
  failureTtlMs?: number;
}

/** How long an expired job is kept when no `failureTtlMs` is given: 7 days. */
export const EXPIRED_TTL_MS = 7 * 86_400_000;

/**
 * Queues scheduled jobs when they are due.
 *
 * @example
 * ```ts ignore
 * new Promoter({ store, clock: systemClock, logger }).start(shutdown.signal);
 * ```
 */
export class Promoter extends Service {
  readonly #store: Store;
  readonly #failureTtlMs: number;

  constructor({ store, clock, logger, failureTtlMs = EXPIRED_TTL_MS }: PromoterOptions) {
    super("promoter", clock, logger);
    this.#store = store;
    this.#failureTtlMs = failureTtlMs;
  }

  protected override wakeUp(signal: AbortSignal): Promise<void> | undefined {
    return this.#store.timerWait?.({ timeoutMs: PROMOTE_IDLE_SLEEP_MS, signal });
  }

  protected async tick(): Promise<number> {
    const now = this.clock.now();
    const due = await this.#store.jobListDue({ now, limit: PROMOTE_BATCH });
    if (due.length > 0) {
      const ttlMs = this.#failureTtlMs;
      const settle = (job: Job) =>
        job.state === "waiting"
          ? resumeJob(job, { now, event: null })
          : isExpired(job, now)
          ? expireJob(job, { now, ttlMs })
          : promoteJob(job);
      const updates = due.map((job) => ({ before: job, after: settle(job) }));
      const { applied } = await this.#store.jobUpdateMany({ updates });
      if (applied.length > 0) this.logger.debug("promoter:promoted", { jobs: applied.length });
      if (due.length === PROMOTE_BATCH) return 0; // more may be due: go on at once
    }
    const longest = this.#store.timerWait ? PROMOTE_IDLE_SLEEP_MS : PROMOTE_MAX_SLEEP_MS;
    const next = await this.#store.jobNextRunAt();
    if (next === null) return longest;
    return Math.min(Math.max(next - this.clock.now(), 0), longest);
  }
}
