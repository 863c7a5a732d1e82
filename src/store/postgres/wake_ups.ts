/**
 * Wake-ups of idle workers on PostgreSQL: one `LISTEN` on the schema's channel per store
 * (postgres.js keeps it on a connection of its own and listens again after a reconnect).
 * Writers send `NOTIFY channel, queue` inside the transaction that made jobs ready, so it
 * reaches listeners when that transaction commits, and never for one rolled back.
 *
 * @example
 * ```ts ignore
 * const wakeUps = new WakeUps(sql, names.channel, systemClock);
 * await wakeUps.wait({ queues: ["mail"], timeoutMs: 1_000 });
 * ```
 * @module
 */
import type { Sql } from "postgres";
import type { Clock } from "../../clock.ts";
import { QueueWaiters, type QueueWaitParams } from "../queue_waiters.ts";

/** The waiters of one store and the subscription that wakes them. */
export class WakeUps {
  readonly #sql: Sql;
  readonly #channel: string;
  readonly #waiters: QueueWaiters;
  #listening: Promise<unknown> | undefined;

  /** Waits time out on `clock`, the store's. */
  constructor(sql: Sql, channel: string, clock: Clock) {
    this.#sql = sql;
    this.#channel = channel;
    this.#waiters = new QueueWaiters(clock);
  }

  /**
   * Resolves, to the notifications heard so far, when a job may be ready in one of
   * `queues` (at once for news heard after `since`), after `timeoutMs`, or on abort.
   */
  wait(params: QueueWaitParams): Promise<number> {
    if (!params.signal?.aborted) this.#listen();
    return this.#waiters.wait(params);
  }

  /** Wakes every waiter. */
  close(): void {
    this.#waiters.wakeAll();
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = this.#sql.listen(
      this.#channel,
      (queue) => this.#waiters.wake(queue),
      // Listening (again, after a reconnect): what was sent before went unheard, so every
      // waiter looks for work now.
      () => this.#waiters.wakeAll(),
    );
    // A failed LISTEN is tried again at the next wait; the waits still end by their timeouts.
    this.#listening.catch(() => this.#listening = undefined);
  }
}
