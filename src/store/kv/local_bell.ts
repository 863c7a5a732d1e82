/**
 * The wake-ups of a store no other process can open (`:memory:`): rings reach this
 * process's waiters only, and no bell file is written. It counts the rings it has heard, and
 * a wait resolves to that count: a waiter that passes it back as `since` to its next wait
 * hears the rings that came in between, while it was away reading, however many other
 * waiters the bell has. The {@linkcode Doorbell} of a KV file builds on it.
 *
 * @example
 * ```ts
 * import { LocalBell } from "./local_bell.ts";
 * const bell = new LocalBell();
 * const woke = bell.wait({ timeoutMs: 60_000 });
 * bell.ring();
 * const heard = await woke;
 * bell.ring(); // while the waiter was away
 * await bell.wait({ since: heard, timeoutMs: 60_000 }); // returns at once
 * ```
 * @module
 */
import { type Clock, systemClock } from "../../clock.ts";
import type { Doorbell } from "./doorbell.ts";

/** What a KV store needs of its bell. */
export type Bell = Pick<Doorbell, "ring" | "wait" | "close">;

/** What a bell's wait is given. */
export interface BellWaitParams {
  /**
   * What the caller's previous wait resolved to (0 before its first): a ring heard since
   * ends this wait at once. Without it, only rings from the call on end it.
   */
  since?: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * A bell heard in this process only.
 *
 * @example
 * ```ts
 * import { LocalBell } from "./local_bell.ts";
 * const bell = new LocalBell();
 * await bell.wait({ timeoutMs: 0 }); // nobody rang: resolves at the timeout
 * ```
 */
export class LocalBell implements Bell {
  readonly #local = new EventTarget();
  readonly #clock: Clock;
  #heard = 0;

  /** Waits time out on `clock` (the store's), so tests move them with a `FakeClock`. */
  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  /** How many rings this bell has heard: what a wait resolves to. */
  get heard(): number {
    return this.#heard;
  }

  /** Wakes every waiter. */
  ring(): void {
    this.#heard++;
    this.#local.dispatchEvent(new Event("ring"));
  }

  /**
   * Resolves, to the rings heard so far, on a ring (or at once when one came after
   * `since`), after `timeoutMs`, or on abort.
   */
  wait({ since, timeoutMs, signal }: BellWaitParams): Promise<number> {
    const rung = since !== undefined && this.#heard > since;
    // A fake clock ends even a zero sleep only when moved: a wait with no time left is over.
    if (rung || signal?.aborted || timeoutMs <= 0) return Promise.resolve(this.#heard);
    return new Promise((resolve) => {
      const timeout = new AbortController();
      const finish = () => {
        timeout.abort();
        this.#local.removeEventListener("ring", finish);
        signal?.removeEventListener("abort", finish);
        resolve(this.#heard);
      };
      void this.#clock.sleep(timeoutMs, timeout.signal).then(finish);
      this.#local.addEventListener("ring", finish, { once: true });
      signal?.addEventListener("abort", finish, { once: true });
    });
  }

  /** Releases every waiter (the store is closing). */
  close(): void {
    this.ring();
  }
}
