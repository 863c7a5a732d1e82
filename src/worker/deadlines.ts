/**
 * The timeouts of a worker's running jobs on one timer. A timer per job (a `clock.sleep`
 * with its own `AbortController`, listener and `setTimeout`, stopped when the job ends)
 * took about 5 % of a worker's CPU running no-op jobs; here a job's start and end are a
 * `Map` write each, and one sleep waits for the earliest deadline. When the last deadline
 * is deleted the sleep is left to run out rather than stopped: quick jobs empty the map
 * between one job and the next, and stopping and arming a sleep for each was a tenth of
 * the worker's own garbage per no-op job. A later deadline needs no new sleep; the one
 * left ends at the time it was armed for, and an idle worker then holds none.
 *
 * @example
 * ```ts
 * import { Deadlines } from "./deadlines.ts";
 * import { FakeClock } from "../clock.ts";
 * const clock = new FakeClock(0);
 * const expired: string[] = [];
 * const deadlines = new Deadlines<string>(clock, (job) => expired.push(job));
 * deadlines.add("a", 1_000);
 * deadlines.add("b", 2_000);
 * deadlines.delete("b");
 * clock.advance(5_000);
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * console.assert(expired.join() === "a");
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";

/** The reason a sleep is stopped with: nothing reads it (a bare `abort()` builds an error). */
const DISARMED = "disarmed";

/**
 * Calls `expire(item)` once an item's time is up, unless it was deleted first.
 *
 * @example
 * ```ts ignore
 * const deadlines = new Deadlines<RunningJob>(clock, (entry) => entry.stop("timeout", error));
 * deadlines.add(entry, entry.job.timeoutMs);
 * deadlines.delete(entry); // the attempt is over
 * ```
 */
export class Deadlines<T> {
  readonly #clock: Clock;
  readonly #expire: (item: T) => void;
  readonly #due = new Map<T, number>();
  #armed: { at: number; stop: AbortController } | undefined;

  constructor(clock: Clock, expire: (item: T) => void) {
    this.#clock = clock;
    this.#expire = expire;
  }

  /** Expires `item` `ms` from now. */
  add(item: T, ms: number): void {
    const at = this.#clock.now() + ms;
    this.#due.set(item, at);
    if (this.#armed === undefined || at < this.#armed.at) this.#arm(at);
  }

  /** Forgets `item`: it will not expire. */
  delete(item: T): void {
    this.#due.delete(item);
  }

  /** Stops the sleep left armed, if any: deadlines added later still get one. */
  stop(): void {
    this.#armed?.stop.abort(DISARMED);
    this.#armed = undefined;
  }

  #arm(at: number): void {
    this.#armed?.stop.abort(DISARMED);
    const stop = new AbortController();
    this.#armed = { at, stop };
    void this.#clock.sleep(at - this.#clock.now(), stop.signal).then(() => {
      if (stop.signal.aborted) return;
      this.#armed = undefined;
      const now = this.#clock.now();
      let next = Infinity;
      for (const [item, due] of this.#due) {
        if (due > now) next = Math.min(next, due);
        else {
          this.#due.delete(item);
          this.#expire(item);
        }
      }
      if (next < Infinity && this.#armed === undefined) this.#arm(next);
    });
  }
}
