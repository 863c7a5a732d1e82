/**
 * Completes batches: every second it looks at the open batches and closes each one none of
 * whose jobs is waiting or running any more, enqueuing its `onComplete` job in the same
 * record commit (`batchComplete`), so the job is enqueued exactly once however many
 * workers watch. Runs in every worker beside the promoter, rescuer and pruner. While no
 * batch is open, on a store that tells of new batches (`Store.timerWait`), it sleeps until
 * one is created (at most {@linkcode BATCH_IDLE_SLEEP_MS}).
 *
 * @example
 * ```ts ignore
 * const watcher = new BatchWatcher({ store, clock, logger });
 * watcher.start();
 * await watcher.stop();
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import { newJobId } from "../ids.ts";
import type { Logger } from "../log.ts";
import { batchSettled } from "../store/batches.ts";
import type { Store } from "../store/store.ts";
import { createJob } from "../transitions/mod.ts";
import { Service } from "../service.ts";
import { batchComplete, batchListOpen } from "./batch_records.ts";

/** How often open batches are looked at. */
export const BATCH_CHECK_MS = 1_000;
/** Longest sleep while no batch is open, on a store with `timerWait`: a safety net. */
export const BATCH_IDLE_SLEEP_MS = 30_000;
/** Open batches looked at per round. */
const BATCHES_PER_ROUND = 100;

/** What a {@linkcode BatchWatcher} needs. */
export interface BatchWatcherOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
}

/**
 * Closes complete batches and enqueues their completion jobs.
 *
 * @example
 * ```ts ignore
 * new BatchWatcher({ store, clock: systemClock, logger }).start(shutdown.signal);
 * ```
 */
export class BatchWatcher extends Service {
  readonly #store: Store;

  constructor({ store, clock, logger }: BatchWatcherOptions) {
    super("batches", clock, logger);
    this.#store = store;
  }

  protected override wakeUp(signal: AbortSignal): Promise<void> | undefined {
    return this.#store.timerWait?.({ timeoutMs: BATCH_IDLE_SLEEP_MS, signal });
  }

  protected async tick(): Promise<number> {
    const open = await batchListOpen(this.#store, { limit: BATCHES_PER_ROUND });
    if (open.length === 0 && this.#store.timerWait) return BATCH_IDLE_SLEEP_MS;
    for (const { batch, counts } of open) {
      if (!batchSettled(counts)) continue;
      const now = this.clock.now();
      const spec = batch.onComplete;
      const job = spec ? createJob({ ...spec, id: newJobId(now) }, now) : null;
      if (await batchComplete(this.#store, { id: batch.id, now, job })) {
        this.logger.info("batch:completed", {
          batch_id: batch.id,
          total: batch.total,
          ...(job && { job_id: job.id, task: job.task }),
        });
      }
    }
    return BATCH_CHECK_MS;
  }
}
