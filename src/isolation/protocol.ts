/**
 * The messages between a worker and the threads or child processes that run its handlers.
 * Everything is JSON, so the same messages travel over `postMessage` and over the lines of
 * a child's stdin and stdout.
 *
 * @example
 * ```ts
 * import { errorFrom, errorMessage } from "./protocol.ts";
 * const copy = errorFrom(errorMessage(new TypeError("bad")));
 * console.assert(copy.name === "TypeError" && copy.message === "bad");
 * ```
 * @module
 */
import {
  isRateLimited,
  type JobStopCause,
  JobStopped,
  RateLimitedError,
  UnrecoverableError,
} from "../errors.ts";
import type { Job, JobProgress } from "../job.ts";
import type { EnqueueRequest } from "../registry/default_producer.ts";

/**
 * A handler's error as it crosses: its class is kept only where the worker acts on it,
 * `UnrecoverableError` and `RateLimitedError` (with its wait and `pauseTask`).
 */
export interface ErrorMessage {
  name: string;
  message: string;
  stack?: string;
  unrecoverable?: boolean;
  rateLimited?: { retryAfterMs: number; pauseTask: boolean };
}

/** Worker to runner. */
export type ToRunner =
  | { type: "init"; tasksModule: string }
  | {
    type: "run";
    jobId: string;
    task: string;
    input: unknown;
    attempt: number;
    parents: Record<string, unknown>;
  }
  | { type: "abort"; jobId: string; cause: JobStopCause; message: string }
  | { type: "enqueued"; request: number; job?: Job; error?: ErrorMessage };

/** Runner to worker. */
export type FromRunner =
  | { type: "ready" }
  | { type: "failed_to_load"; error: ErrorMessage }
  | { type: "log"; jobId: string; message: string; fields?: Record<string, unknown> }
  | { type: "progress"; jobId: string; value: JobProgress }
  | { type: "enqueue"; jobId: string; request: number; enqueue: EnqueueRequest }
  | { type: "done"; jobId: string; result?: unknown; error?: ErrorMessage }
  | { type: "exit"; code: number };

/**
 * An error as a message.
 *
 * @example
 * ```ts
 * import { errorMessage } from "./protocol.ts";
 * console.assert(errorMessage("x").message === "x");
 * ```
 */
export function errorMessage(error: unknown): ErrorMessage {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    unrecoverable: error instanceof UnrecoverableError || undefined,
    rateLimited: isRateLimited(error)
      ? { retryAfterMs: error.retryAfterMs, pauseTask: error.pauseTask === true }
      : undefined,
  };
}

/**
 * The error a message describes, of its class where the worker needs the class.
 *
 * @example
 * ```ts
 * import { errorFrom } from "./protocol.ts";
 * console.assert(errorFrom({ name: "RangeError", message: "m" }).name === "RangeError");
 * ```
 */
export function errorFrom(message: ErrorMessage): Error {
  const limited = message.rateLimited;
  const error = limited
    ? new RateLimitedError(limited.retryAfterMs, { pauseTask: limited.pauseTask })
    : message.unrecoverable
    ? new UnrecoverableError(message.message)
    : new Error(message.message);
  error.name = message.name;
  if (message.stack) error.stack = message.stack;
  return error;
}

/**
 * The stop reason a runner gives its handler's signal.
 *
 * @example
 * ```ts
 * import { stopReason } from "./protocol.ts";
 * console.assert(stopReason({ type: "abort", jobId: "a", cause: "timeout", message: "t" })
 *   .cause === "timeout");
 * ```
 */
export function stopReason(message: Extract<ToRunner, { type: "abort" }>): JobStopped {
  return new JobStopped(message.cause, message.message);
}
