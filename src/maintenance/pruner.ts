/**
 * The pruner: deletes finished, failed and canceled jobs once their `expiresAt` has
 * passed (a day for results, a week for failures by default), so the store does not grow
 * without bound. A job changed since it was listed (retried by hand) is left alone, and so
 * is a job whose completion callback is still pending: it goes once the callback was
 * delivered or given up after its last try (`src/callbacks/`).
 *
 * @example
 * ```ts ignore
 * const pruner = new Pruner({ store, clock, logger });
 * pruner.start();
 * await pruner.stop();
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import { Service } from "../service.ts";
import { jobLogDelete } from "../job_log/job_log.ts";

/** How often expired jobs are looked for. */
export const PRUNE_INTERVAL_MS = 60_000;

/** Jobs deleted per round: workers end thousands a second, so the pruner must keep up. */
const PRUNE_BATCH = 500;

/** What a {@linkcode Pruner} needs. */
export interface PrunerOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
}

/**
 * Deletes terminal jobs past their expiry.
 *
 * @example
 * ```ts ignore
 * new Pruner({ store, clock: systemClock, logger, intervalMs: 600_000 }).start();
 * ```
 */
export class Pruner extends Service {
  readonly #o: PrunerOptions;

  constructor(options: PrunerOptions) {
    super("pruner", options.clock, options.logger);
    this.#o = options;
  }

  protected async tick(): Promise<number> {
    const { store } = this.#o;
    const expired = await store.jobListExpired({ now: this.clock.now(), limit: PRUNE_BATCH });
    // Retention never outruns delivery: a job whose completion callback is still pending
    // stays until it is delivered or given up (then its expiry has passed: the next round).
    const prunable = expired.filter((job) => job.callbackDueAt === undefined);
    const deleted = await store.jobDeleteMany({ jobs: prunable });
    await Promise.all(deleted.map((id) => jobLogDelete(store, id)));
    const count = deleted.length;
    if (count > 0) this.logger.debug("pruner:deleted", { jobs: count });
    const held = expired.length - prunable.length;
    if (held > 0) this.logger.debug("pruner:held_for_callback", { jobs: held });
    // A full batch of which some went: more may be waiting. One held whole: wait a round.
    const more = expired.length === PRUNE_BATCH && count > 0;
    return more ? 0 : this.#o.intervalMs ?? PRUNE_INTERVAL_MS;
  }
}
