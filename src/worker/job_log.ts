/**
 * The worker's job lines (`job:started`, `job:finished`, `job:retried`, `job:deferred`,
 * `job:failed`, `job:canceled`, `job:released`, `job:lease_lost`), named from what was actually written,
 * so a log line never claims an outcome the store refused.
 *
 * @example
 * ```ts
 * import { logSettled } from "./job_log.ts";
 * import { createLogger } from "../log.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const lines: string[] = [];
 * const logger = createLogger({ format: "json", write: (line) => lines.push(line) });
 * const job = createJob({ id: "a", task: "t", input: 1 }, 0);
 * logSettled(logger, job, { ...job, state: "finished" }, 12);
 * console.assert(JSON.parse(lines[0]).event === "job:finished");
 * ```
 * @module
 */
import { type Job, lastError } from "../job.ts";
import type { Logger } from "../log.ts";

/**
 * The fields every job line carries.
 *
 * @example
 * ```ts
 * import { jobFields } from "./job_log.ts";
 * import { createJob } from "../transitions/mod.ts";
 * console.assert(jobFields(createJob({ id: "a", task: "t", input: 1 }, 0)).queue === "default");
 * ```
 */
export function jobFields(job: Job): Record<string, unknown> {
  return { job_id: job.id, task: job.task, queue: job.queue, attempt: job.attempts };
}

/**
 * Logs how a settlement ended: `written` is the stored record, or null if the lease was
 * lost before it could be written (`held` is then the last record the worker had).
 *
 * @example
 * ```ts ignore
 * logSettled(logger, entry.job, await completer.settle(entry, transition), 35);
 * ```
 */
export function logSettled(logger: Logger, held: Job, written: Job | null, durationMs: number) {
  // One object per line, not a spread copy: a line per job is hot.
  const fields = jobFields(written ?? held);
  fields.duration_ms = durationMs;
  if (!written) {
    logger.warn("job:lease_lost", fields);
    return;
  }
  const error = lastError(written);
  const describe = () => error && `${error.name}: ${error.message}`;
  if ((written.deferrals ?? 0) > (held.deferrals ?? 0)) { // no attempt used (RateLimitedError)
    return logger.info("job:deferred", {
      ...fields,
      deferrals: written.deferrals,
      run_at: written.runAt,
    });
  }
  const step = written.steps?.at(-1);
  const asleep = step?.state === "sleeping" || step?.state === "waiting";
  if (asleep && written.state !== "queued" && written.attempts < held.attempts) { // ctx.sleep/wait
    return logger.info("job:suspended", { ...fields, step: step!.name, until: step!.until });
  }
  switch (written.state) {
    case "finished":
      return logger.info("job:finished", fields);
    case "scheduled":
      return logger.warn("job:retried", { ...fields, error: describe(), run_at: written.runAt });
    case "failed":
      return logger.error("job:failed", { ...fields, error: describe() });
    case "canceled":
      return logger.info("job:canceled", { ...fields, reason: written.cancelReason });
    case "queued": // released at shutdown: the attempt does not count
      return logger.info("job:released", { ...fields, attempt: held.attempts });
  }
}
