/**
 * Idle claimants waiting for work in some queues, woken by a store's notification channel
 * (Redis pub/sub, PostgreSQL LISTEN/NOTIFY) for one of their queues, by their timeout, or
 * by their abort signal; whichever comes first.
 *
 * @example
 * ```ts
 * import { QueueWaiters } from "./queue_waiters.ts";
 * const waiters = new QueueWaiters();
 * const waiting = waiters.wait({ queues: ["mail"], timeoutMs: 10_000 });
 * waiters.wake("mail");
 * await waiting;
 * ```
 * @module
 */

interface Waiter {
  queues: string[];
  wake(): void;
}

/** The waiters of one store. */
export class QueueWaiters {
  readonly #waiters = new Set<Waiter>();

  /** Resolves when `wake` names one of `queues`, after `timeoutMs`, or on abort. */
  wait({ queues, timeoutMs, signal }: {
    queues: string[];
    timeoutMs: number;
    signal?: AbortSignal;
  }): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        queues,
        wake: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", waiter.wake);
          this.#waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, timeoutMs);
      signal?.addEventListener("abort", waiter.wake, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** Wakes the waiters of `queue`. */
  wake(queue: string): void {
    for (const waiter of [...this.#waiters]) if (waiter.queues.includes(queue)) waiter.wake();
  }

  /** Wakes every waiter (a notification may have been missed). */
  wakeAll(): void {
    for (const waiter of [...this.#waiters]) waiter.wake();
  }
}
