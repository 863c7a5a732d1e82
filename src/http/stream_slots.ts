/**
 * A cap on the Server-Sent Events streams one server keeps open (`/jobs/{id}/events`
 * and `/ui/events` together). Beyond it a new stream gets 503 `server_busy` with
 * `Retry-After`, instead of the server holding ever more sockets and timers.
 *
 * @example
 * ```ts
 * import { StreamSlots } from "./stream_slots.ts";
 * const slots = new StreamSlots(1);
 * const release = slots.take()!;
 * console.assert(slots.take() === null);
 * release();
 * console.assert(slots.take() !== null);
 * ```
 * @module
 */
import type { Context } from "hono";

/** Streams one server keeps open at most, by default. */
export const DEFAULT_MAX_STREAMS = 1_000;
/** What a refused stream is told to wait, in seconds. */
export const STREAMS_RETRY_AFTER_S = 5;

/** Counts open streams against a maximum. */
export class StreamSlots {
  #open = 0;

  constructor(readonly max: number = DEFAULT_MAX_STREAMS) {}

  /** Streams open now. */
  get open(): number {
    return this.#open;
  }

  /** A slot, as the function that gives it back (idempotent), or null when all are taken. */
  take(): (() => void) | null {
    if (this.#open >= this.max) return null;
    this.#open++;
    let released = false;
    return () => {
      if (!released) this.#open--;
      released = true;
    };
  }

  /**
   * The 503 answer to a stream refused for want of a slot.
   *
   * @example
   * ```ts ignore
   * const release = slots.take();
   * if (!release) return slots.busy(c);
   * ```
   */
  busy(c: Context): Response {
    c.header("Retry-After", String(STREAMS_RETRY_AFTER_S));
    return c.json({
      error: {
        code: "server_busy",
        message: `this server has ${this.max} event streams open, its limit ` +
          `(--max-streams); try again in ${STREAMS_RETRY_AFTER_S} s`,
        limit: this.max,
      },
    }, 503);
  }
}
