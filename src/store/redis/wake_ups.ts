/**
 * Wake-ups for idle workers on any host. The scripts that make a job ready publish its
 * queue's name on one channel; each store subscribes to it on a connection of its own, the
 * first time a worker waits, and wakes the waiters of that queue at once. Whenever the
 * subscription is (re)made every waiter wakes too: messages sent while it was down are
 * lost, so waiters look at the queues again. A missed message only delays a claim until the
 * waiter's timeout: correctness never rests on it.
 *
 * @example
 * ```ts ignore
 * const wakeUps = new WakeUps(() => new Redis(url, options), "tq:wake", systemClock);
 * await wakeUps.wait({ queues: ["default"], timeoutMs: 1_000 });
 * wakeUps.close();
 * ```
 * @module
 */
import type { Clock } from "../../clock.ts";
import type { RedisClient } from "./connection.ts";
import { QueueWaiters, type QueueWaitParams } from "../queue_waiters.ts";

/** The waiters of one store and the subscription that wakes them. */
export class WakeUps {
  readonly #open: () => RedisClient;
  readonly #channel: string;
  readonly #waiters: QueueWaiters;
  #subscriber: RedisClient | undefined;

  constructor(open: () => RedisClient, channel: string, clock: Clock) {
    this.#open = open;
    this.#channel = channel;
    this.#waiters = new QueueWaiters(clock);
  }

  /**
   * Resolves, to the notifications heard so far, when a job may be ready in one of
   * `queues` (at once for news heard after `since`), after `timeoutMs`, or on abort.
   */
  wait(params: QueueWaitParams): Promise<number> {
    if (!params.signal?.aborted) this.#subscribe();
    return this.#waiters.wait(params);
  }

  /** Ends the subscription and wakes every waiter. */
  close(): void {
    this.#wakeAll();
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
  }

  #subscribe(): void {
    if (this.#subscriber) return;
    const subscriber = this.#open();
    this.#subscriber = subscriber;
    subscriber.on("error", () => {}); // the command connection reports outages
    subscriber.on("message", (_channel: string, queue: string) => this.#waiters.wake(queue));
    // ioredis subscribes again after a reconnect; whatever was sent meanwhile is lost.
    let subscribed = false;
    subscriber.on("ready", () => subscribed && this.#wakeAll());
    subscriber.subscribe(this.#channel).then(() => {
      subscribed = true;
      this.#wakeAll();
    }, () => {});
  }

  #wakeAll(): void {
    this.#waiters.wakeAll();
  }
}
