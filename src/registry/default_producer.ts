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
