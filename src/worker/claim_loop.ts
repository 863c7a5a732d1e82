/**
 * The claim loop: keeps up to `concurrency` jobs running. Whenever slots are free it
 * claims that many jobs (per call at most half the pool, and at most the store's
 * `maxClaimBatch`, else {@linkcode CLAIM_BATCH}) from its queues in priority order;
 * when the queues run dry it waits for the store's wake-up rather than polling hard. Jobs
 * claimed while stopping still run: they are ours once claimed.
 *
 * While handlers are quick (`run_pace.ts`: under 10 ms on average) it claims ahead:
 * up to a whole batch beyond its free slots, kept in order and started the moment a slot
 * frees. A small pool of quick jobs then costs one claim per batch instead of one per
 * half pool; at most `concurrency` handlers still run at once, and a job claimed ahead
 * waits at most a batch of quick runs for its slot, far inside its lease.
 *
 * Claims also wait while two batches' worth of jobs have ended but are not yet written
 * (the completer's backlog): quick handlers free their slots at once, and without this
 * the claims outran the settlement writes, holding thousands of finished jobs in memory,
 * unwritten, on a busy machine.
 *
 * Paused queues (`src/guards/queue_pauses.ts`) are left out of each claim. With rate
 * limits, claims go through `src/guards/rate_limit_tokens.ts` (each told the limits whose
 * jobs the last one left ready, so it reserves for them first), and an idle wait ends when
 * a window holding jobs back frees a start.
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
import type { JobClaimParams, Store } from "../store/store.ts";
import type { RateLimits } from "../guards/rate_limit.ts";
import { claimWithinRateLimits, type LimitedClaim } from "../guards/rate_limit_tokens.ts";
import { RunPace } from "./run_pace.ts";
import { Service } from "../service.ts";
import { PAUSE_REFRESH_MS, QueuePauses } from "../guards/queue_pauses.ts";

/** Most jobs taken in one `jobClaim` call of a store that sets no `maxClaimBatch`. */
export const CLAIM_BATCH = 50;

/**
 * Longest wait for a wake-up before looking at the queues again: a safety net for a
 * wake-up lost on its way, not the way jobs are found. Every store wakes idle claimants
 * when a job becomes ready (an enqueue, a promotion, the release of a group's next job or
 * of a dependant, a resumed queue) and shortens the wait to a rate limit's next window.
 */
export const IDLE_WAIT_MS = 30_000;

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
  /**
   * How many claimed jobs are not yet settled in the store: running, or over and waiting
   * for their outcome to be written. Without it, no claim waits for settlements.
   */
  unsettled?: () => number;
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
  /** Jobs claimed ahead, oldest first, waiting for a slot. */
  readonly #ahead: Job[] = [];
  readonly #pace = new RunPace();
  #slotFreed: (() => void) | undefined;
  /** Settles once the claim decided on (waiting for its task, or on its way) is handled. */
  #claim: PromiseWithResolvers<void> | undefined;
  /** The store's count of wake-ups when the last wait ended: news after it ends the next. */
  #heard = 0;
  /** The rate limits whose jobs the last claim left ready: reserved for up front. */
  #limitsReady: string[] = [];

  constructor(options: ClaimLoopOptions) {
    if (!(options.concurrency >= 1)) throw new RangeError("concurrency must be at least 1");
    super("claim_loop", options.clock, options.logger);
    this.#o = options;
  }

  /** How many claimed jobs' handlers are running. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Resolves once no claimed job is running or waiting for a slot (new claims included). */
  async idle(): Promise<void> {
    this.#startAhead();
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /**
   * Tells the loop that settlements were written: a claim held back by the backlog of
   * unwritten ones may go.
   */
  settled(): void {
    this.#slotFreed?.();
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
    await this.#claimWanted(signal);
    if (signal.aborted) return 0;
    this.#claim ??= Promise.withResolvers();
    const batch = this.#batch;
    const free = concurrency - this.#inFlight.size;
    // Quick handlers: up to a batch ahead. Otherwise the free slots, at most half the pool
    // per claim: the pool runs as two cohorts or more, so one runs while another's claim
    // is on its way.
    const limit = this.#pace.quick
      ? batch - this.#ahead.length
      : Math.min(free, batch, Math.ceil(concurrency / 2));
    if (limit <= 0) return 0; // handlers turned slow while jobs wait ahead
    const open = await QueuePauses.of(store, this.clock).filter(queues);
    const { jobs, wakeAt } = open.length === 0
      ? { jobs: [], wakeAt: null }
      : await this.#claimFrom({ queues: open, workerId, limit, leaseMs, now: this.clock.now() });
    this.#ahead.push(...jobs);
    this.#startAhead();
    this.#claim.resolve();
    this.#claim = undefined;
    // A short batch means the queues are empty for now: wait for news instead of polling.
    // A resume made in another process wakes us before our view of the pauses has caught
    // up, so while one of our queues is paused, look again once that view is due.
    // A rate limit holding jobs back: look again when its window frees a start.
    const timeoutMs = Math.min(
      open.length < queues.length ? PAUSE_REFRESH_MS : IDLE_WAIT_MS,
      wakeAt === null ? Infinity : Math.max(0, wakeAt - this.clock.now()),
    );
    if (jobs.length < limit) {
      this.#heard = await store.workWait({ queues, timeoutMs, signal, since: this.#heard });
    }
    return 0;
  }

  /** Claims, within the rate limits if there are any. */
  async #claimFrom(params: JobClaimParams): Promise<LimitedClaim> {
    const { store, rateLimits, logger } = this.#o;
    const claimed = await claimWithinRateLimits(store, {
      ...params,
      rateLimits,
      ready: this.#limitsReady,
      onLateError: (error) => logger.warn("rate_limit:claim_incomplete", { error: String(error) }),
    });
    this.#limitsReady = claimed.ready;
    return claimed;
  }

  /** Starts jobs claimed ahead while slots are free. */
  #startAhead(): void {
    while (this.#ahead.length > 0 && this.#inFlight.size < this.#o.concurrency) {
      this.#track(this.#ahead.shift()!);
    }
  }

  #track(job: Job): void {
    const started = performance.now();
    const running = this.#o.run(job);
    this.#inFlight.add(running);
    running.finally(() => {
      this.#pace.record(performance.now() - started);
      this.#inFlight.delete(running);
      this.#startAhead();
      this.#slotFreed?.();
    });
  }

  get #batch(): number {
    return this.#o.store.maxClaimBatch ?? CLAIM_BATCH;
  }

  /**
   * True when a claim is due: a slot is free, or, while handlers are quick, the jobs
   * claimed ahead are down to half a batch (so each claim is a big one, made while the
   * pool still has work); and fewer than two batches of ended jobs wait to be written.
   */
  #wantsClaim(): boolean {
    const ended = (this.#o.unsettled?.() ?? 0) - this.#inFlight.size;
    if (ended >= 2 * this.#batch) return false;
    if (this.#pace.quick) return this.#ahead.length <= this.#batch / 2;
    return this.#inFlight.size < this.#o.concurrency;
  }

  /**
   * Resolves when a claim is due, or on abort. After a wait it resolves from the next
   * task: jobs that started together end together (their timers fire in one go), and
   * claiming at the first freed slot would take one job and leave the rest of the pool
   * empty while that claim is on its way.
   */
  #claimWanted(signal: AbortSignal): Promise<void> {
    if (this.#wantsClaim() || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        if (!this.#wantsClaim() && !signal.aborted) return;
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
