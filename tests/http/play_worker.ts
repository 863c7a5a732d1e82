/**
 * Plays a worker against a store, for tests that need jobs in the states only a worker
 * reaches (started, failed).
 *
 * @example
 * ```ts ignore
 * const failed = await failNext(store, clock.now());
 * ```
 * @module
 */
import type { Job } from "../../src/job.ts";
import type { Store } from "../../src/store/store.ts";
import { failAttempt } from "../../src/transitions/mod.ts";

/** Claims the next job of `queue`. */
export async function claimNext(store: Store, now: number, queue = "default"): Promise<Job> {
  const [job] = await store.jobClaim({
    queues: [queue],
    workerId: "w1",
    limit: 1,
    leaseMs: 30_000,
    now,
  });
  if (!job) throw new Error(`no job to claim in ${queue}`);
  return job;
}

/** Claims the next job of `queue` and fails it for good. */
export async function failNext(store: Store, now: number, queue = "default"): Promise<Job> {
  const job = await claimNext(store, now, queue);
  const failed = failAttempt(job, {
    now,
    error: { name: "Error", message: "boom" },
    retryDelayMs: 0,
    ttlMs: 60_000,
    final: true,
  });
  await store.jobUpdateMany({ updates: [{ before: job, after: failed }] });
  return failed;
}
