/**
 * Idle claimants waiting for work in some queues, woken by a store's notification channel
 * (Redis pub/sub, PostgreSQL LISTEN/NOTIFY) for one of their queues, by their timeout, or
 * by their abort signal; whichever comes first. Notifications are counted, and a wait
 * resolves to the count heard so far: a claimant that passes it back as `since` to its
 * next wait hears what came for its queues in between, while it was claiming, however many
 * other claimants of the process were woken by it meanwhile. Without that, a claimant
 * between a claim that found nothing and its wait would miss the job announced in between
 * and sleep until its timeout.
 *
 * @example
 * ```ts
 * import { systemClock } from "../clock.ts";
 * import { QueueWaiters } from "./queue_waiters.ts";
 * const waiters = new QueueWaiters(systemClock);
 * const waiting = waiters.wait({ queues: ["mail"], timeoutMs: 10_000 });
 * waiters.wake("mail");
 * const heard = await waiting;
 * waiters.wake("mail"); // while the claimant claims
 * await waiters.wait({ queues: ["mail"], since: heard, timeoutMs: 10_000 }); // at once
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";

interface Waiter {
  queues: string[];
  wake(): void;
}

/**
 * Queues whose latest notification is remembered by name; past it they are forgotten at
 * once, as if every queue had been notified (one needless look for each claimant), so a
 * process that hears of ever-new queue names does not keep them all.
 */
export const QUEUES_REMEMBERED = 1_000;

/** What a wait is given. */
export interface QueueWaitParams {
  queues: string[];
  /**
   * What the caller's previous wait resolved to (0 before its first): a notification for
   * one of `queues` heard since ends this wait at once. Without it, only notifications from
   * the call on end it.
   */
  since?: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The waiters of one store. */
export class QueueWaiters {
  readonly #waiters = new Set<Waiter>();
  readonly #clock: Clock;
  /** Notifications heard: what a wait resolves to. */
  #heard = 0;
  /** For each queue notified, the count heard at its latest notification. */
  readonly #heardAt = new Map<string, number>();
  /** The count heard at the latest news for every queue (`wakeAll`, or queues forgotten). */
  #everyQueueHeardAt = 0;

  /** Timeouts run on `clock`, the store's, so tests move them with a `FakeClock`. */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Resolves, to the notifications heard so far, when `wake` names one of `queues` (at once
   * for one heard after `since`), after `timeoutMs`, or on abort.
   */
  wait({ queues, since, timeoutMs, signal }: QueueWaitParams): Promise<number> {
    const missed = since !== undefined && this.#heardSince(queues, since);
    if (missed || signal?.aborted || timeoutMs <= 0) return Promise.resolve(this.#heard);
    return new Promise((resolve) => {
      const timeout = new AbortController();
      const waiter: Waiter = {
        queues,
        wake: () => {
          timeout.abort();
          signal?.removeEventListener("abort", waiter.wake);
          this.#waiters.delete(waiter);
          resolve(this.#heard);
        },
      };
      void this.#clock.sleep(timeoutMs, timeout.signal).then(waiter.wake);
      signal?.addEventListener("abort", waiter.wake, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** Wakes the waiters of `queue`. */
  wake(queue: string): void {
    this.#heard++;
    if (this.#heardAt.size >= QUEUES_REMEMBERED && !this.#heardAt.has(queue)) {
      this.#heardAt.clear();
      this.#everyQueueHeardAt = this.#heard;
    }
    this.#heardAt.set(queue, this.#heard);
    for (const waiter of [...this.#waiters]) {
      if (waiter.queues.includes(queue)) waiter.wake();
    }
  }

  /** Wakes every waiter (a notification may have been missed). */
  wakeAll(): void {
    this.#heard++;
    this.#everyQueueHeardAt = this.#heard;
    for (const waiter of [...this.#waiters]) waiter.wake();
  }

  #heardSince(queues: string[], since: number): boolean {
    return this.#everyQueueHeardAt > since ||
      queues.some((queue) => (this.#heardAt.get(queue) ?? 0) > since);
  }
}
