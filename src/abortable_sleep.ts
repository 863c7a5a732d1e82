/**
 * A sleep that rejects with the signal's reason when the signal aborts: what a handler
 * uses to wait on something slow while staying cancellable.
 *
 * @example
 * ```ts
 * import { abortableSleep } from "./abortable_sleep.ts";
 * await abortableSleep(1, new AbortController().signal);
 * ```
 * @module
 */

/** Waits `ms`, or rejects with `signal.reason` as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
