/**
 * Time as the engine sees it. Every service takes a {@linkcode Clock} so tests can move
 * time by hand instead of sleeping.
 *
 * @example
 * ```ts
 * import { FakeClock } from "./clock.ts";
 * const clock = new FakeClock(1_000);
 * const woke = clock.sleep(500);
 * clock.advance(500);
 * await woke;
 * ```
 * @module
 */

/** A source of "now" (epoch milliseconds) and of sleeps that a signal can cut short. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The longest delay `setTimeout` honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The wall clock.
 *
 * @example
 * ```ts
 * import { systemClock } from "./clock.ts";
 * const started = systemClock.now();
 * await systemClock.sleep(1);
 * console.assert(systemClock.now() >= started);
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      // Timers fire at once past 2^31-1 ms, so long sleeps are chained.
      const deadline = Date.now() + Math.max(0, ms);
      let timer: ReturnType<typeof setTimeout>;
      const arm = () => {
        const left = deadline - Date.now();
        timer = setTimeout(() => {
          if (deadline - Date.now() > 0) return arm();
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, Math.min(Math.max(0, left), MAX_TIMER_MS));
      };
      arm();
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

interface Sleeper {
  wakeAt: number;
  resolve: () => void;
}

/**
 * A clock that moves only when told to, for tests.
 *
 * @example
 * ```ts
 * import { FakeClock } from "./clock.ts";
 * const clock = new FakeClock(0);
 * clock.advance(30_000);
 * console.assert(clock.now() === 30_000);
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #sleepers: Sleeper[] = [];
  #watchers: { count: number; resolve: () => void }[] = [];

  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = { wakeAt: this.#now + Math.max(0, ms), resolve };
      this.#sleepers.push(sleeper);
      this.#notifyWatchers();
      signal?.addEventListener("abort", () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        resolve();
      }, { once: true });
    });
  }

  /** Moves time forward and wakes every sleeper that is due. */
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#sleepers.filter((s) => s.wakeAt <= this.#now);
    this.#sleepers = this.#sleepers.filter((s) => s.wakeAt > this.#now);
    for (const sleeper of due) sleeper.resolve();
  }

  /** How many sleeps are waiting, so a test can tell when a service has gone idle. */
  get pendingSleeps(): number {
    return this.#sleepers.length;
  }

  /**
   * Resolves once at least `count` sleeps are waiting: the services a test woke (or
   * started) have finished their round and wait on this clock again. No real time passes.
   *
   * @example
   * ```ts
   * import { FakeClock } from "./clock.ts";
   * const clock = new FakeClock(0);
   * const idle = clock.untilSleeping(1);
   * clock.sleep(1_000);
   * await idle;
   * ```
   */
  untilSleeping(count: number): Promise<void> {
    if (this.#sleepers.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#watchers.push({ count, resolve }));
  }

  #notifyWatchers(): void {
    const ready = this.#watchers.filter((w) => this.#sleepers.length >= w.count);
    this.#watchers = this.#watchers.filter((w) => this.#sleepers.length < w.count);
    for (const watcher of ready) watcher.resolve();
  }
}
