/**
 * A worker's entry in the store's worker registry: every {@linkcode BEAT_INTERVAL_MS} it
 * writes its host, pid, concurrency, queues and running jobs with an expiry of three beats,
 * so a worker that dies drops out of `tq workers` and the dashboard on its own. A worker
 * that started no job since its last beat and runs none has nothing new to say: it beats
 * every {@linkcode IDLE_BEAT_INTERVAL_MS} instead, each entry expiring after three of
 * those beats, and beats at once when a job starts. A worker that stops removes its entry.
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

/** How often a worker with jobs writes its entry. */
export const BEAT_INTERVAL_MS = 5_000;
/** How long an entry written with jobs lasts without a new beat. */
export const BEAT_TTL_MS = 3 * BEAT_INTERVAL_MS;
/** How often an idle worker (no job since its last beat) writes its entry. */
export const IDLE_BEAT_INTERVAL_MS = 15_000;
/** How long an entry written idle lasts without a new beat. */
export const IDLE_BEAT_TTL_MS = 3 * IDLE_BEAT_INTERVAL_MS;

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
  /** A job started since the last beat. */
  #started = false;
  /** The last beat was written idle: a job's start is news worth a beat at once. */
  #idle = false;
  /** Resolves the wait for news of a job (see `wakeUp`), if one is on. */
  #wake: (() => void) | undefined;

  constructor(options: PresenceOptions) {
    super("presence", options.clock, options.logger);
    this.#o = options;
    this.#startedAt = options.clock.now();
  }

  /** Tells of a job put in `running`: after an idle beat, the entry is written at once. */
  jobStarted(): void {
    this.#started = true;
    if (this.#idle) this.#wake?.();
  }

  protected override wakeUp(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }

  /** The entry as of now, to last `ttlMs` without another beat. */
  record(ttlMs: number = BEAT_TTL_MS): WorkerRecord {
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
      expiresAt: now + ttlMs,
    };
  }

  protected async tick(): Promise<number> {
    const idle = !this.#started && this.#o.running.size === 0;
    this.#started = false;
    this.#idle = idle;
    const ttlMs = idle ? IDLE_BEAT_TTL_MS : BEAT_TTL_MS;
    await workerBeat(this.#o.store, { worker: this.record(ttlMs), ttlMs });
    return idle ? IDLE_BEAT_INTERVAL_MS : BEAT_INTERVAL_MS;
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
