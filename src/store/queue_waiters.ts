/**
 * Idle claimants waiting for work in some queues, woken by a store's notification channel
 * (Redis pub/sub, PostgreSQL LISTEN/NOTIFY) for one of their queues, by their timeout, or
 * by their abort signal; whichever comes first. A notification for a queue nobody waits on
 * is kept for the next wait on it: a claimant between a claim that found nothing and its
 * wait would otherwise miss the job announced in between and sleep until its timeout.
 *
 * @example
 * ```ts
 * import { systemClock } from "../clock.ts";
 * import { QueueWaiters } from "./queue_waiters.ts";
 * const waiters = new QueueWaiters(systemClock);
 * const waiting = waiters.wait({ queues: ["mail"], timeoutMs: 10_000 });
 * waiters.wake("mail");
 * await waiting;
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";

interface Waiter {
  queues: string[];
  wake(): void;
}

/** The waiters of one store. */
export class QueueWaiters {
  readonly #waiters = new Set<Waiter>();
  readonly #clock: Clock;
  /** Queues notified while nobody waited on them. */
  readonly #unheard = new Set<string>();

  /** Timeouts run on `clock`, the store's, so tests move them with a `FakeClock`. */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Resolves when `wake` names one of `queues`, after `timeoutMs`, or on abort. */
  wait({ queues, timeoutMs, signal }: {
    queues: string[];
    timeoutMs: number;
    signal?: AbortSignal;
  }): Promise<void> {
    if (signal?.aborted || timeoutMs <= 0) return Promise.resolve();
    const missed = queues.filter((queue) => this.#unheard.has(queue));
    if (missed.length > 0) {
      missed.forEach((queue) => this.#unheard.delete(queue));
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timeout = new AbortController();
      const waiter: Waiter = {
        queues,
        wake: () => {
          timeout.abort();
          signal?.removeEventListener("abort", waiter.wake);
          this.#waiters.delete(waiter);
          resolve();
        },
      };
      void this.#clock.sleep(timeoutMs, timeout.signal).then(waiter.wake);
      signal?.addEventListener("abort", waiter.wake, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** Wakes the waiters of `queue`. */
  wake(queue: string): void {
    const listening = [...this.#waiters].filter((waiter) => waiter.queues.includes(queue));
    if (listening.length === 0) this.#unheard.add(queue);
    listening.forEach((waiter) => waiter.wake());
  }

  /** Wakes every waiter (a notification may have been missed). */
  wakeAll(): void {
    for (const waiter of [...this.#waiters]) waiter.wake();
  }
}
