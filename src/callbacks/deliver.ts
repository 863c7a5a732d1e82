/**
 * One completion callback: a POST of the final job JSON (`src/job_json.ts`) to the
 * job's `callbackUrl`. A 2xx answer is a delivery; any other status, a redirect, a network
 * error or no answer within `timeoutMs` is a failed try. The `X-Tq-Job-Id` and
 * `X-Tq-Callback-Try` headers let a receiver drop repeats: delivery is at least once.
 *
 * @example
 * ```ts ignore
 * const outcome = await postCallback({ fetch, job, timeoutMs: 10_000 });
 * if (!outcome.ok) console.log(outcome.reason);
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import { callbackBody } from "../job_json.ts";

/** What became of one try. */
export type CallbackOutcome = { ok: true } | { ok: false; reason: string };

/** What {@linkcode postCallback} takes. */
export interface PostCallbackParams {
  fetch: typeof globalThis.fetch;
  /** The job as it ended, with `callbackUrl`; `callbackTries` counts this try. */
  job: Job;
  timeoutMs: number;
  /** Aborts the request (the sender is stopping). */
  signal?: AbortSignal;
}

/**
 * POSTs `job`'s JSON to its `callbackUrl`. Never throws: failures come back as `reason`.
 *
 * @example
 * ```ts ignore
 * await postCallback({ fetch, job, timeoutMs: 10_000 }); // { ok: true }
 * ```
 */
export async function postCallback(
  { fetch, job, timeoutMs, signal }: PostCallbackParams,
): Promise<CallbackOutcome> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(job.callbackUrl!, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "tq-callback",
        "x-tq-job-id": job.id,
        "x-tq-callback-try": String(job.callbackTries ?? 1),
      },
      body: JSON.stringify(callbackBody(job)),
      redirect: "manual",
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return { ok: true };
    return { ok: false, reason: `answered ${response.status}` };
  } catch (error) {
    if (timeout.aborted) return { ok: false, reason: `no answer within ${timeoutMs} ms` };
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
