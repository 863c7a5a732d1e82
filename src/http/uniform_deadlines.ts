/**
 * Many deadlines of one length (every request body's `--body-timeout`) kept by a single
 * sleep instead of a timer each: arming one is a set insert, disarming a delete. UniformDeadlines
 * of one length expire in the order they were armed, so the sleep always runs to the
 * oldest armed one; once none is left, the sweep ends at its next wake-up (at most one
 * length after the last was armed). Unlike the worker's job timeouts (`worker/deadlines.ts`,
 * of any length, whose timer stops as soon as none is left), nothing is stopped when the
 * set empties, which on the HTTP path it does between most requests: a timer would be
 * made and stopped per request again.
 *
 * @example
 * ```ts
 * import { FakeClock } from "../clock.ts";
 * import { UniformDeadlines } from "./uniform_deadlines.ts";
 * const clock = new FakeClock();
 * const deadlines = new UniformDeadlines(1_000, clock);
 * let late = false;
 * deadlines.arm(() => late = true);
 * const disarm = deadlines.arm(() => console.assert(false, "disarmed in time"));
 * disarm();
 * clock.advance(1_000);
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * console.assert(late);
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";

interface Armed {
  due: number;
  onLate(): void;
}

/**
 * UniformDeadlines `ms` long on `clock` (see the module doc).
 *
 * @example
 * ```ts ignore
 * const deadlines = new UniformDeadlines(30_000, systemClock);
 * const disarm = deadlines.arm(() => controller.error(new Error("too late")));
 * ```
 */
export class UniformDeadlines {
  readonly #ms: number;
  readonly #clock: Clock;
  /** In the order armed, which is the order due. */
  readonly #armed = new Set<Armed>();
  #sweeping = false;

  constructor(ms: number, clock: Clock) {
    this.#ms = ms;
    this.#clock = clock;
  }

  /**
   * Calls `onLate` (which must not throw) once the length has passed, unless the returned
   * function was called first.
   */
  arm(onLate: () => void): () => void {
    const armed = { due: this.#clock.now() + this.#ms, onLate };
    this.#armed.add(armed);
    if (!this.#sweeping) void this.#sweep();
    return () => this.#armed.delete(armed);
  }

  async #sweep(): Promise<void> {
    this.#sweeping = true;
    for (let oldest = this.#oldest(); oldest; oldest = this.#oldest()) {
      await this.#clock.sleep(oldest.due - this.#clock.now());
      const now = this.#clock.now();
      for (const armed of this.#armed) {
        if (armed.due > now) break;
        this.#armed.delete(armed);
        armed.onLate();
      }
    }
    this.#sweeping = false;
  }

  #oldest(): Armed | undefined {
    for (const armed of this.#armed) return armed;
  }
}
