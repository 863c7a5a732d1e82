/**
 * The claim loop: keeps up to `concurrency` jobs running. Whenever slots are free it
 * claims that many jobs (per call at most half the pool, and at most the store's
 * `maxClaimBatch`, else {@linkcode CLAIM_BATCH}) from its queues in priority order;
 * when the queues run dry it waits for the store's wake-up rather than polling hard. Jobs
 * claimed while stopping still run: they are ours once claimed.
 *
 * @example
 * ```ts ignore
 * const loop = new ClaimLoop({ store, queues: ["default"], workerId, concurrency: 10,
 *   leaseMs: 30_000, clock, logger, run: (job) => executor.run(job) });
 * loop.start();
 * await loop.stop(); // no more claims
 * await loop.idle(); // every claimed job's handler is over
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Job } from "../job.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import type { RateLimits } from "../guards/rate_limit.ts";
import { Service } from "./service.ts";

/** Most jobs taken in one `jobClaim` call of a store that sets no `maxClaimBatch`. */
export const CLAIM_BATCH = 50;

/** Longest wait for a wake-up before looking at the queues again. */
export const IDLE_WAIT_MS = 1_000;

/** What a {@linkcode ClaimLoop} needs. */
export interface ClaimLoopOptions {
  store: Store;
  /** Queues in priority order. */
  queues: string[];
  workerId: string;
  /** Most handlers running at once in this process. */
  concurrency: number;
  leaseMs: number;
  /** Rate limits the claims enforce (see `src/guards/rate_limit.ts`); none if absent. */
  rateLimits?: RateLimits;
  clock: Clock;
  logger: Logger;
  /** Runs a claimed job; resolves when its slot is free again. Must not reject. */
  run(job: Job): Promise<void>;
}

/**
 * Claims jobs while slots are free.
 *
 * @example
 * ```ts ignore
 * const loop = new ClaimLoop({ ...options, run: (job) => executor.run(job) });
 * loop.start();
 * ```
 */
export class ClaimLoop extends Service {
  readonly #o: ClaimLoopOptions;
  readonly #inFlight = new Set<Promise<void>>();
  #slotFreed: (() => void) | undefined;
  /** Settles once the claim decided on (waiting for its task, or on its way) is handled. */
  #claim: PromiseWithResolvers<void> | undefined;

  constructor(options: ClaimLoopOptions) {
    if (!(options.concurrency >= 1)) throw new RangeError("concurrency must be at least 1");
    super("claim_loop", options.clock, options.logger);
    this.#o = options;
  }

  /** How many claimed jobs' handlers are running. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Resolves once no claimed job is running (new claims, if any, included). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /**
   * Resolves once the claim on its way, if any, is back and its jobs have started (or it
   * failed). The completer waits for it before a write, so a claim that refills slots is
   * not queued behind a batch of settlements, in the worker nor in the store.
   */
  claimed(): Promise<void> {
    return this.#claim?.promise ?? Promise.resolve();
  }

  protected async tick(signal: AbortSignal): Promise<number> {
    try {
      return await this.#claimSome(signal);
    } finally {
      this.#claim?.resolve();
      this.#claim = undefined;
    }
  }

  async #claimSome(signal: AbortSignal): Promise<number> {
    const { store, queues, workerId, leaseMs, concurrency } = this.#o;
    await this.#freeSlot(signal);
    if (signal.aborted) return 0;
    this.#claim ??= Promise.withResolvers();
    // At most half the pool per claim: the pool runs as two cohorts or more, so one runs
    // while another's claim is on its way.
    const limit = Math.min(
      concurrency - this.#inFlight.size,
      store.maxClaimBatch ?? CLAIM_BATCH,
      Math.ceil(concurrency / 2),
    );
    const now = this.clock.now();
    const { rateLimits } = this.#o;
    const jobs = await store.jobClaim({ queues, workerId, limit, leaseMs, now, rateLimits });
    for (const job of jobs) this.#track(this.#o.run(job));
    this.#claim.resolve();
    this.#claim = undefined;
    // A short batch means the queues are empty for now: wait for news instead of polling.
    if (jobs.length < limit) await store.workWait({ queues, timeoutMs: IDLE_WAIT_MS, signal });
    return 0;
  }

  #track(running: Promise<void>): void {
    this.#inFlight.add(running);
    running.finally(() => {
      this.#inFlight.delete(running);
      this.#slotFreed?.();
    });
  }

  /**
   * Resolves when fewer than `concurrency` jobs run, or on abort. After a full pool it
   * resolves from the next task: jobs that started together end together (their timers
   * fire in one go), and claiming at the first freed slot would take one job and leave
   * the rest of the pool empty while that claim is on its way.
   */
  #freeSlot(signal: AbortSignal): Promise<void> {
    if (this.#inFlight.size < this.#o.concurrency || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#slotFreed = undefined;
        signal.removeEventListener("abort", done);
        this.#claim ??= Promise.withResolvers();
        setImmediate(resolve);
      };
      this.#slotFreed = done;
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
