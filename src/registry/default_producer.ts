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
import type { Job } from "../job.ts";
import type { EnqueueOptions } from "./enqueue_options.ts";

/** One enqueue: a task, its input and per-job options. */
export interface EnqueueRequest extends EnqueueOptions {
  task: string;
  input: unknown;
}

/** Anything that can enqueue a job. */
export interface JobProducer {
  enqueue(request: EnqueueRequest): Promise<Job>;
}

let current: JobProducer | undefined;

/** Sets the producer `task.enqueue()` goes through. */
export function useProducer(producer: JobProducer | undefined): void {
  current = producer;
}

/** The producer set by `useProducer`; throws if none was. */
export function currentProducer(): JobProducer {
  if (!current) {
    throw new Error("no tq producer: call connect() (or useProducer) before task.enqueue()");
  }
  return current;
}
