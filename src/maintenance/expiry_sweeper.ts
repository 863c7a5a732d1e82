/**
 * The expiry sweeper: cancels waiting jobs (`queued`, `scheduled`) past their expiry
 * (`startBy`, from `expires_in` / `expires_at`) as `expired`, so a job in a queue no worker
 * serves, or a paused one, does not sit in listings forever. Workers also expire a job they
 * claim (`src/worker/executor.ts`) and the promoter one it would queue, so this is only
 * the tidy-up.
 *
 * The scan is bounded: each round reads one page of {@linkcode SWEEP_PAGE} jobs of one
 * state through `store.jobList`, with a cursor kept between rounds, so a backlog of any
 * size is walked a page at a time ({@linkcode SWEEP_PAGE} jobs per {@linkcode SWEEP_PAGE_MS})
 * and a full pass starts again every {@linkcode SWEEP_PASS_MS} at most. With a backlog of
 * 100,000 waiting jobs a pass takes about 17 minutes. (On KV a page of `queued` jobs scans
 * the records, at most 5,000 per call, see `src/store/kv/list_jobs.ts`.)
 *
 * @example
 * ```ts ignore
 * const sweeper = new ExpirySweeper({ store, clock, logger, failureTtlMs });
 * sweeper.start();
 * await sweeper.stop();
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import type { JobState } from "../job.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import { expireJob, isExpired } from "../transitions/mod.ts";
import { Service } from "../service.ts";

/** Jobs read per round. */
export const SWEEP_PAGE = 100;
/** Pause between the pages of one pass. */
export const SWEEP_PAGE_MS = 1_000;
/** Pause between passes. */
export const SWEEP_PASS_MS = 10_000;

/** The states whose jobs can expire waiting. */
const WAITING: JobState[] = ["queued", "scheduled"];

/** What an {@linkcode ExpirySweeper} needs. */
export interface ExpirySweeperOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** How long a job canceled as expired is kept. */
  failureTtlMs: number;
}

/**
 * Cancels waiting jobs past their expiry, a page per round.
 *
 * @example
 * ```ts ignore
 * new ExpirySweeper({ store, clock, logger, failureTtlMs: 604_800_000 }).start();
 * ```
 */
export class ExpirySweeper extends Service {
  readonly #o: ExpirySweeperOptions;
  #state = 0;
  #cursor: string | undefined;
  /** The first pass waits a pass's pause: at start-up, claims see the queues' heads first. */
  #waited = false;

  constructor(options: ExpirySweeperOptions) {
    super("expiry_sweeper", options.clock, options.logger);
    this.#o = options;
  }

  protected async tick(): Promise<number> {
    if (!this.#waited) {
      this.#waited = true;
      return SWEEP_PASS_MS;
    }
    const { store, failureTtlMs: ttlMs } = this.#o;
    const state = WAITING[this.#state];
    const page = await store.jobList({ state, limit: SWEEP_PAGE, cursor: this.#cursor });
    const now = this.clock.now();
    const updates = page.jobs.filter((job) => job.state === state && isExpired(job, now))
      .map((job) => ({ before: job, after: expireJob(job, { now, ttlMs }) }));
    if (updates.length > 0) {
      const { applied } = await store.jobUpdateMany({ updates });
      if (applied.length > 0) this.logger.info("jobs:expired", { jobs: applied.length });
    }
    this.#cursor = page.nextCursor;
    if (this.#cursor !== undefined) return SWEEP_PAGE_MS;
    this.#state = (this.#state + 1) % WAITING.length;
    return this.#state === 0 ? SWEEP_PASS_MS : SWEEP_PAGE_MS;
  }
}
