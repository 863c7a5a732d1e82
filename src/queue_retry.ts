/**
 * "Retry all failed" of a queue: every failed job of the queue is queued again with a
 * fresh attempt budget (`retryJob`), a page at a time, each page in one versioned write.
 * A job changed meanwhile by someone else (retried, deleted) is skipped, not overwritten.
 *
 * @example
 * ```ts ignore
 * import { retryFailed } from "./queue_retry.ts";
 * const { retried } = await retryFailed(store, { queue: "mail", now: Date.now() });
 * ```
 * @module
 */
import type { Store } from "./store/store.ts";
import { retryJob } from "./transitions/mod.ts";

/** Jobs read and written per round. */
const PAGE = 100;
/** Rounds at most per call, so one request stays bounded (100,000 jobs). */
const MAX_ROUNDS = 1_000;

/**
 * Queues every failed job of `queue` again; answers how many were.
 *
 * @example
 * ```ts ignore
 * await retryFailed(store, { queue: "default", now: clock.now() });
 * ```
 */
export async function retryFailed(
  store: Store,
  { queue, now }: { queue: string; now: number },
): Promise<{ retried: number }> {
  let retried = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // Retried jobs leave the failed listing, so each round reads the first page again.
    const { jobs } = await store.jobList({ state: "failed", queue, limit: PAGE });
    const failed = jobs.filter((job) => job.state === "failed" && job.queue === queue);
    if (failed.length === 0) break;
    const updates = failed.map((job) => ({ before: job, after: retryJob(job, { now }) }));
    const { applied } = await store.jobUpdateMany({ updates });
    retried += applied.length;
    if (applied.length === 0) break;
  }
  return { retried };
}
