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

  /** Wakes every waiter. */
  ring(): void {
    this.#local.dispatchEvent(new Event("ring"));
  }

  /** Resolves on a ring, after `timeoutMs`, or on abort. */
  wait({ timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(deadline);
        this.#local.removeEventListener("ring", finish);
        signal?.removeEventListener("abort", finish);
        resolve();
      };
      const deadline = setTimeout(finish, timeoutMs);
      this.#local.addEventListener("ring", finish, { once: true });
      signal?.addEventListener("abort", finish, { once: true });
    });
  }

  /** Releases every waiter (the store is closing). */
  close(): void {
    this.ring();
  }
}
