/**
 * The shape every background loop of tq shares (after River's `startstop`): `start(signal?)`
 * begins it, `stop()` ends it and resolves once its current round is over. A round that
 * throws is logged and retried after a pause, so one store hiccup never ends a loop.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import { FakeClock } from "./clock.ts";
 * import { silentLogger } from "./log.ts";
 * class Counter extends Service {
 *   rounds = 0;
 *   protected tick() {
 *     this.rounds++;
 *     return Promise.resolve(1_000);
 *   }
 * }
 * const counter = new Counter("counter", new FakeClock(), silentLogger);
 * counter.start();
 * await counter.stop();
 * console.assert(counter.rounds === 1);
 * ```
 * @module
 */
import type { Clock } from "./clock.ts";
import type { Logger } from "./log.ts";

/** How long a loop waits after a round that threw before it tries again. */
export const ERROR_PAUSE_MS = 1_000;

/**
 * A loop of rounds: subclasses say what one round does and how long to wait after it.
 *
 * @example
 * ```ts ignore
 * class Sweeper extends Service {
 *   protected async tick() {
 *     await sweep();
 *     return 60_000; // the next round in a minute
 *   }
 * }
 * ```
 */
export abstract class Service {
  readonly #name: string;
  protected readonly clock: Clock;
  protected readonly logger: Logger;
  readonly #controller = new AbortController();
  #done: Promise<void> | undefined;

  constructor(name: string, clock: Clock, logger: Logger) {
    this.#name = name;
    this.clock = clock;
    this.logger = logger;
  }

  /** Starts the loop; it also stops when `signal` aborts. Later calls do nothing. */
  start(signal?: AbortSignal): void {
    if (this.#done) return;
    signal?.addEventListener("abort", () => this.#controller.abort(), { once: true });
    this.#done = this.#loop(this.#controller.signal);
  }

  /** Ends the loop and resolves when its last round is over; safe to call more than once. */
  async stop(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }

  /** One round of work; resolves to the ms to wait before the next (0: go on at once). */
  protected abstract tick(signal: AbortSignal): Promise<number>;

  /**
   * A service that can be told of news (a store's change notification) gives it here: the
   * wait after a round ends early when it resolves. It is asked for before each round, so
   * news that comes while the round reads is not missed; `signal` aborts when the wait is
   * over either way.
   */
  protected wakeUp?(signal: AbortSignal): Promise<void> | undefined;

  async #loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // For a service told of news: the round's own signal ends its wait for news.
      const round = this.wakeUp ? new AbortController() : undefined;
      const waitSignal = round ? AbortSignal.any([signal, round.signal]) : signal;
      const woken = this.wakeUp?.(waitSignal);
      let waitMs: number;
      try {
        waitMs = await this.tick(signal);
      } catch (error) {
        this.logger.error(`${this.#name}:error`, { error: String(error) });
        waitMs = ERROR_PAUSE_MS;
      }
      // A fake clock resolves even a zero sleep only when advanced: skip it.
      if (waitMs > 0) {
        const slept = this.clock.sleep(waitMs, waitSignal);
        await (woken ? Promise.race([slept, woken]) : slept);
      }
      round?.abort();
    }
  }
}
