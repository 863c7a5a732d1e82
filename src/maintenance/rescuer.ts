/**
 * The rescuer: gives back the jobs of workers that stopped renewing their leases (crashed,
 * killed, cut off). Each such expiry counts as a failed attempt named `LeaseExpiredError`,
 * so the job is retried after its backoff, and a job that keeps killing its workers ends
 * `failed` after `maxAttempts` expiries instead of taking down workers forever.
 *
 * @example
 * ```ts ignore
 * const rescuer = new Rescuer({ store, clock, logger, failureTtlMs: 7 * 86_400_000 });
 * rescuer.start();
 * await rescuer.stop();
 * ```
 * @module
 */
import { retryDelay } from "../backoff.ts";
import type { Clock } from "../clock.ts";
import type { Job } from "../job.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import { failAttempt } from "../transitions/mod.ts";
import { Service } from "../service.ts";

/** How often expired leases are looked for. */
export const RESCUE_INTERVAL_MS = 5_000;

/** Jobs rescued per write. */
const RESCUE_BATCH = 100;

/** What a {@linkcode Rescuer} needs. */
export interface RescuerOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** How long a job failed for good is kept. */
  failureTtlMs: number;
  intervalMs?: number;
}

/**
 * The attempt a lost worker abandoned, as a failed attempt of its job (also what
 * `tq doctor --repair` does to a stale lease).
 *
 * @example
 * ```ts
 * import { claimJob, createJob } from "../transitions/mod.ts";
 * import { abandonedAttempt } from "./rescuer.ts";
 * const job = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), { workerId: "w", now: 0, leaseMs: 10 });
 * console.assert(abandonedAttempt(job, 20, 1_000).errors[0].name === "LeaseExpiredError");
 * ```
 */
export function abandonedAttempt(job: Job, now: number, ttlMs: number): Job {
  const worker = job.workerId ?? "(unknown)";
  return failAttempt(job, {
    now,
    error: {
      name: "LeaseExpiredError",
      message: `worker ${worker} stopped renewing its lease (it probably died); ` +
        `attempt ${job.attempts} abandoned`,
      workerId: job.workerId,
    },
    retryDelayMs: retryDelay(job.backoff, job.attempts),
    ttlMs,
  });
}

/**
 * Fails the attempts of jobs whose lease ran out.
 *
 * @example
 * ```ts ignore
 * new Rescuer({ store, clock: systemClock, logger, failureTtlMs }).start(shutdown.signal);
 * ```
 */
export class Rescuer extends Service {
  readonly #o: RescuerOptions;

  constructor(options: RescuerOptions) {
    super("rescuer", options.clock, options.logger);
    this.#o = options;
  }

  protected async tick(): Promise<number> {
    const now = this.clock.now();
    const expired = await this.#o.store.jobListLeaseExpired({ now, limit: RESCUE_BATCH });
    if (expired.length > 0) {
      const updates = expired.map((job) => ({
        before: job,
        after: abandonedAttempt(job, now, this.#o.failureTtlMs),
      }));
      // A conflict means the owner renewed or settled it just now: it was not lost after all.
      const { applied } = await this.#o.store.jobUpdateMany({ updates });
      for (const { after } of updates.filter((u) => applied.includes(u.after.id))) {
        this.logger.warn("job:rescued", {
          job_id: after.id,
          task: after.task,
          queue: after.queue,
          attempt: after.attempts,
          state: after.state,
          worker: after.workerId,
        });
      }
      if (expired.length === RESCUE_BATCH) return 0;
    }
    return this.#o.intervalMs ?? RESCUE_INTERVAL_MS;
  }
}
