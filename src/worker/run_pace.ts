/**
 * How quick a worker's handlers are, as a moving average of the time from a job's start to
 * its slot being free again. The claim loop claims ahead of its free slots only while
 * handlers are quick ({@linkcode QUICK_RUN_MS}): a job claimed ahead then waits at most a
 * batch of quick runs for its slot (well under a second), far inside its lease, and one
 * claim feeds the pool many times over.
 * Real time (`performance.now()`), not the injected clock: this is a measure of the
 * handlers' speed, not a timer.
 *
 * @example
 * ```ts
 * import { RunPace } from "./run_pace.ts";
 * const pace = new RunPace();
 * console.assert(!pace.quick); // nothing measured yet
 * pace.record(0.2);
 * console.assert(pace.quick);
 * ```
 * @module
 */

/** Handlers taking less than this on average (ms) count as quick. */
export const QUICK_RUN_MS = 10;

/** Weight of the newest run in the moving average. */
const WEIGHT = 0.1;

/**
 * A moving average of run times.
 *
 * @example
 * ```ts
 * import { RunPace } from "./run_pace.ts";
 * const pace = new RunPace();
 * pace.record(50);
 * console.assert(!pace.quick);
 * ```
 */
export class RunPace {
  /** Unknown until the first run ends: not quick. */
  #averageMs = Infinity;

  /** Takes note of one run's time in ms. */
  record(ms: number): void {
    this.#averageMs = this.#averageMs === Infinity
      ? ms
      : this.#averageMs + WEIGHT * (ms - this.#averageMs);
  }

  /** True while runs take less than {@linkcode QUICK_RUN_MS} on average. */
  get quick(): boolean {
    return this.#averageMs < QUICK_RUN_MS;
  }
}
