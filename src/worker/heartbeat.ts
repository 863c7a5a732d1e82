/**
 * The heartbeat of a worker's running jobs. Every second it re-reads their records: a
 * cancel request aborts the handler (the executor then settles the job canceled), and a
 * job no longer started by this worker (rescued elsewhere, deleted) is aborted and left
 * alone. Every `leaseMs / 3` it pushes all leases out in one write, so a short lease
 * survives two missed beats yet a dead worker's jobs come back within `leaseMs`.
 *
 * @example
 * ```ts ignore
 * const heartbeat = new Heartbeat({ store, running, lock, workerId, leaseMs: 30_000,
 *   clock, logger });
 * heartbeat.start();
 * await heartbeat.stop();
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import { JobStopped } from "../errors.ts";
import type { Job } from "../job.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import { extendLease } from "../transitions/mod.ts";
import type { RunningJob, RunningJobs } from "./running_job.ts";
import { Service } from "../service.ts";
import type { WriteLock } from "./write_lock.ts";

/**
 * How often running jobs' records are re-read for cancels and lost leases; more often when
 * a third of the lease is shorter, so a short lease is still extended in time.
 */
export const CHECK_INTERVAL_MS = 1_000;

/** What a {@linkcode Heartbeat} needs. */
export interface HeartbeatOptions {
  store: Store;
  running: RunningJobs;
  /** Shared with the completer: see `write_lock.ts`. */
  lock: WriteLock;
  workerId: string;
  leaseMs: number;
  clock: Clock;
  logger: Logger;
}

/**
 * Watches and renews the leases of a worker's running jobs.
 *
 * @example
 * ```ts ignore
 * const heartbeat = new Heartbeat({ store, running, lock, workerId, leaseMs, clock, logger });
 * heartbeat.start();
 * ```
 */
export class Heartbeat extends Service {
  readonly #o: HeartbeatOptions;
  #lastExtended: number;

  constructor(options: HeartbeatOptions) {
    super("heartbeat", options.clock, options.logger);
    this.#o = options;
    this.#lastExtended = options.clock.now();
  }

  protected async tick(): Promise<number> {
    await this.#check();
    if (this.clock.now() - this.#lastExtended >= this.#o.leaseMs / 3) await this.#extend();
    return Math.min(CHECK_INTERVAL_MS, this.#o.leaseMs / 3);
  }

  /** Aborts the jobs whose record says they were canceled or are no longer ours. */
  async #check(): Promise<void> {
    const entries = [...this.#o.running.values()].filter((entry) => !entry.settling);
    if (entries.length === 0) return;
    const records = await this.#o.store.jobGetMany(entries.map((entry) => entry.job.id));
    entries.forEach((entry, i) => {
      const record = records[i];
      // A read older than what we hold raced with our own write: it says nothing new.
      if (record && record.version <= entry.job.version) return;
      if (!record || !this.#isOurs(record, entry)) {
        entry.stop("lease_lost", new JobStopped("lease_lost", this.#lostMessage(record)));
      } else if (record.cancelRequested) {
        entry.observe(record);
        const reason = record.cancelReason ?? "canceled";
        entry.stop("cancel", new JobStopped("canceled", `job canceled: ${reason}`));
      } else entry.observe(record);
    });
  }

  /** Extends every running job's lease in one write; the written records become current. */
  async #extend(): Promise<void> {
    this.#lastExtended = this.clock.now();
    await this.#o.lock.run(async () => {
      const entries = [...this.#o.running.values()];
      if (entries.length === 0) return;
      const now = this.clock.now();
      const updates = entries.map((entry) => ({
        before: entry.job,
        after: extendLease(entry.job, { now, leaseMs: this.#o.leaseMs }),
      }));
      const { applied } = await this.#o.store.jobUpdateMany({ updates });
      const written = new Set(applied);
      // Conflicts are left to the next check, which tells a cancel from a lost lease.
      updates.forEach(({ after }, i) => written.has(after.id) && entries[i].observe(after));
    });
  }

  #isOurs(record: Job, entry: RunningJob): boolean {
    return record.state === "started" && record.workerId === this.#o.workerId &&
      record.attempts === entry.job.attempts;
  }

  #lostMessage(record: Job | null): string {
    if (!record) return "lease lost: the job was deleted";
    return `lease lost: the job is ${record.state}` +
      (record.workerId && record.workerId !== this.#o.workerId ? ` on ${record.workerId}` : "");
  }
}
