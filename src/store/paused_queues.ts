/**
 * The paused queues as a claimant sees them: a small cache over the store's list, read
 * again at most every {@linkcode PAUSE_REFRESH_MS}, so a claim costs nothing extra while
 * no queue is paused, and a pause made by another process holds within that time. A pause
 * made through the same store object holds at once.
 *
 * @example
 * ```ts
 * import { PausedQueues } from "./paused_queues.ts";
 * import { systemClock } from "../clock.ts";
 * const paused = new PausedQueues(() => Promise.resolve(["mail"]), systemClock);
 * console.assert((await paused.filter(["mail", "default"])).join() === "default");
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";

/** How stale a claimant's view of the paused queues may be, in ms. */
export const PAUSE_REFRESH_MS = 500;

/** A cached set of paused queue names. */
export class PausedQueues {
  readonly #read: () => Promise<string[]>;
  readonly #clock: Clock;
  #names = new Set<string>();
  #readAt = -Infinity;

  constructor(read: () => Promise<string[]>, clock: Clock) {
    this.#read = read;
    this.#clock = clock;
  }

  /** `queues` without the paused ones, in order. A clock set back reads the list again. */
  async filter(queues: string[]): Promise<string[]> {
    const now = this.#clock.now();
    if (now - this.#readAt >= PAUSE_REFRESH_MS || now < this.#readAt) {
      this.#names = new Set(await this.#read());
      this.#readAt = now;
    }
    return this.#names.size === 0 ? queues : queues.filter((q) => !this.#names.has(q));
  }

  /** Forgets the cache: the next filter reads the store (after a pause or a resume). */
  invalidate(): void {
    this.#readAt = -Infinity;
  }
}
