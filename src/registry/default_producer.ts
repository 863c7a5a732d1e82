/**
 * The producer that `task.enqueue()` uses: set once by `connect()` (or `useProducer`) so
 * that application code can write `sendNotification.enqueue({...})` anywhere.
 *
 * @example
 * ```ts
 * import { useProducer } from "./default_producer.ts";
 * useProducer({ enqueue: (request) => Promise.reject(new Error(request.task)) });
 * ```
 * @module
 */
import type { Producer } from "../producer.ts";
import type { EnqueueOptions } from "./enqueue_options.ts";

/** One enqueue: a task, its input and per-job options. */
export interface EnqueueRequest extends EnqueueOptions {
  task: string;
  input: unknown;
}

/** What `POST /events` and `sendEvent` take. */
export interface EventToSend {
  /** What happened, e.g. `order.approved`. */
  event: string;
  /** Which thing it happened to, e.g. an order id; waits match it exactly. */
  key?: string;
  /**
   * JSON the waiting handlers get from `ctx.waitForEvent` (`{}` if absent; never null, which
   * is what a wait that timed out gets).
   */
  data?: unknown;
}

let current: Pick<Producer, "enqueue"> | undefined;

/**
 * Sets the producer `task.enqueue()` goes through: tq's `Producer`, or a stand-in with its
 * `enqueue` alone (a handler's isolated thread forwards its enqueues to its parent).
 */
export function useProducer(producer: Pick<Producer, "enqueue"> | undefined): void {
  current = producer;
}

/** The producer set by `useProducer`; throws if none was. */
export function currentProducer(): Pick<Producer, "enqueue"> {
  if (!current) {
    throw new Error("no tq producer: call connect() (or useProducer) before task.enqueue()");
  }
  return current;
}

/**
 * Sends an event through the producer bound by `connect()`: wakes the jobs waiting for it
 * in `ctx.waitForEvent` and keeps it (24 h) for jobs that reach their wait later. Answers
 * how many jobs it woke.
 *
 * @example
 * ```ts ignore
 * import { sendEvent } from "@tq/tq";
 * await sendEvent({ event: "order.approved", key: "o1", data: { by: "ana" } });
 * ```
 */
export function sendEvent(request: EventToSend): Promise<{ woken: number }> {
  // A stand-in producer (an isolated handler's forwarder) has `enqueue` alone.
  const producer: Partial<Producer> = currentProducer();
  if (!producer.sendEvent) {
    return Promise.reject(new Error("this producer cannot send events: use connect()'s"));
  }
  return producer.sendEvent(request);
}
