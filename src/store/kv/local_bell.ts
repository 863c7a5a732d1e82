/**
 * The wake-ups of a store no other process can open (`:memory:`): rings reach this
 * process's waiters only, and no bell file is written.
 *
 * @example
 * ```ts
 * import { LocalBell } from "./local_bell.ts";
 * const bell = new LocalBell();
 * const woke = bell.wait({ timeoutMs: 60_000 });
 * bell.ring();
 * await woke;
 * ```
 * @module
 */
import { type Clock, systemClock } from "../../clock.ts";
import type { Doorbell } from "./doorbell.ts";

/** What a KV store needs of its bell. */
export type Bell = Pick<Doorbell, "ring" | "wait" | "close">;

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

  /** Waits time out on `clock` (the store's), so tests move them with a `FakeClock`. */
  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  /** Wakes every waiter. */
  ring(): void {
    this.#local.dispatchEvent(new Event("ring"));
  }

  /** Resolves on a ring, after `timeoutMs`, or on abort. */
  wait({ timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    // A fake clock ends even a zero sleep only when moved: a wait with no time left is over.
    if (signal?.aborted || timeoutMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timeout = new AbortController();
      const finish = () => {
        timeout.abort();
        this.#local.removeEventListener("ring", finish);
        signal?.removeEventListener("abort", finish);
        resolve();
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
