/**
 * A worker's entry in the store's worker registry: every {@linkcode BEAT_INTERVAL_MS} it
 * writes its host, pid, concurrency, queues and running jobs with an expiry of three beats,
 * so a worker that dies drops out of `tq workers` and the dashboard on its own. A worker
 * that stops removes its entry.
 *
 * @example
 * ```ts ignore
 * const presence = new Presence({ store, running, workerId, queues, concurrency, clock,
 *   logger });
 * presence.start();
 * await presence.stop(); // also removes the entry
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import {
  MAX_LISTED_RUNNING,
  workerBeat,
  type WorkerRecord,
  workerRemove,
} from "../presence/worker_registry.ts";
import type { RunningJobs } from "./running_job.ts";
import { Service } from "../service.ts";

/** How often a worker writes its entry. */
export const BEAT_INTERVAL_MS = 5_000;
/** How long an entry lasts without a new beat. */
export const BEAT_TTL_MS = 3 * BEAT_INTERVAL_MS;

/** What a {@linkcode Presence} needs. */
export interface PresenceOptions {
  store: Store;
  running: RunningJobs;
  workerId: string;
  queues: string[];
  concurrency: number;
  clock: Clock;
  logger: Logger;
}

/**
 * Publishes a worker in the store's registry while it runs.
 *
 * @example
 * ```ts ignore
 * new Presence(options).start();
 * ```
 */
export class Presence extends Service {
  readonly #o: PresenceOptions;
  readonly #startedAt: number;

  constructor(options: PresenceOptions) {
    super("presence", options.clock, options.logger);
    this.#o = options;
    this.#startedAt = options.clock.now();
  }

  /** The entry as of now. */
  record(): WorkerRecord {
    const now = this.clock.now();
    const ids = [...this.#o.running.keys()];
    return {
      id: this.#o.workerId,
      host: Deno.hostname(),
      pid: Deno.pid,
      concurrency: this.#o.concurrency,
      queues: this.#o.queues,
      runningJobIds: ids.slice(0, MAX_LISTED_RUNNING),
      running: ids.length,
      startedAt: this.#startedAt,
      lastHeartbeatAt: now,
      expiresAt: now + BEAT_TTL_MS,
    };
  }

  protected async tick(): Promise<number> {
    await workerBeat(this.#o.store, { worker: this.record(), ttlMs: BEAT_TTL_MS });
    return BEAT_INTERVAL_MS;
  }

  /** Stops beating and removes the entry (a failing store is logged, not thrown). */
  override async stop(): Promise<void> {
    await super.stop();
    try {
      await workerRemove(this.#o.store, { id: this.#o.workerId });
    } catch (error) {
      this.logger.warn("presence:error", { error: String(error) });
    }
  }
}
