/**
 * The errors callers catch. Each carries a stable `code`; `src/http/errors.ts` maps codes
 * to HTTP statuses in one table.
 *
 * @example
 * ```ts
 * import { JobNotFoundError, TqError } from "./errors.ts";
 * try {
 *   throw new JobNotFoundError("01J...");
 * } catch (error) {
 *   if (error instanceof TqError) console.log(error.code); // "job_not_found"
 * }
 * ```
 * @module
 */

/** The stable codes of tq's errors, as they appear in `{ "error": { "code" } }`. */
export type ErrorCode =
  | "invalid_json"
  | "invalid_input"
  | "unknown_task"
  | "job_not_found"
  | "invalid_state"
  | "payload_too_large"
  | "store_unavailable"
  | "unauthorized"
  | "forbidden"
  | "limit_exceeded"
  | "schedule_not_found"
  | "flow_not_found"
  | "batch_not_found"
  | "dependants_waiting"
  | "unsupported_media_type"
  | "lease_lost";

/** One problem with one field of a request, by its path (`input.email`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Base class of every error tq expects callers to handle. */
export class TqError extends Error {
  readonly code: ErrorCode;
  /** Extra fields that go into the error body, e.g. the list of invalid fields. */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** No task of that name is registered. */
export class UnknownTaskError extends TqError {
  constructor(readonly task: string) {
    super("unknown_task", `unknown task "${task}"`, { task });
  }
}

/** No job has that id (it never existed, was deleted, or expired). */
export class JobNotFoundError extends TqError {
  constructor(readonly jobId: string) {
    super("job_not_found", `no job with id "${jobId}"`, { job_id: jobId });
  }
}

/** No batch has that id (it never existed, or its record expired after completion). */
export class BatchNotFoundError extends TqError {
  constructor(readonly batchId: string) {
    super("batch_not_found", `no batch with id "${batchId}"`, { batch_id: batchId });
  }
}

/** A request or an input that fails its schema; `issues` names each bad field. */
export class InvalidInputError extends TqError {
  constructor(readonly issues: FieldIssue[], details: Record<string, unknown> = {}) {
    super(
      "invalid_input",
      `invalid input: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`,
      { issues, ...details },
    );
  }
}

/** A body that is not JSON at all. */
export class InvalidJsonError extends TqError {
  constructor(message: string) {
    super("invalid_json", `request body is not valid JSON: ${message}`);
  }
}

/** A body in a form tq does not read: JSON declared in a charset other than UTF-8. */
export class UnsupportedMediaTypeError extends TqError {
  constructor(message: string) {
    super("unsupported_media_type", message);
  }
}

/** The job is not in a state that allows the change (retry a running job, say). */
export class InvalidStateError extends TqError {
  constructor(readonly jobId: string, readonly state: string, action: string) {
    super("invalid_state", `cannot ${action} job "${jobId}": it is ${state}`, {
      job_id: jobId,
      state,
    });
  }
}

/**
 * A job cannot be deleted alone: jobs wait for it (its `depends_on` children, the next job
 * of its group). `dependants` names the first 20, `dependant_count` counts them all; delete
 * with `cascade=cancel` to cancel them with it.
 */
export class DependantsWaitingError extends TqError {
  constructor(readonly jobId: string, readonly dependants: string[], readonly count: number) {
    super(
      "dependants_waiting",
      `cannot delete job "${jobId}": ${count} job(s) wait for it (${dependants.join(", ")}` +
        `${count > dependants.length ? ", …" : ""}); cancel it instead, or delete it with ` +
        `?cascade=cancel (CLI: --cascade cancel) to cancel them too`,
      { job_id: jobId, dependants, dependant_count: count },
    );
  }
}

/** A job record over the store's value limit: the caller should pass a reference instead. */
export class PayloadTooLargeError extends TqError {
  constructor(readonly bytes: number, readonly limit: number, what = "job input") {
    super(
      "payload_too_large",
      `${what} is ${bytes} bytes; the limit is ${limit}. Store large data elsewhere ` +
        `(a file, an object store) and pass a reference such as a URL or a key instead`,
      { bytes, limit },
    );
  }
}

/**
 * An enqueue carried a `transaction`, but the store cannot write inside a caller's
 * transaction: only the PostgreSQL store can (`connect({ postgres })`).
 */
export class TransactionUnsupportedError extends TypeError {
  constructor(store: string) {
    super(
      `enqueue with a transaction needs the PostgreSQL store (connect({ postgres: url }) or ` +
        `--postgres); this store (${store}) cannot write inside your transaction`,
    );
    this.name = "TransactionUnsupportedError";
  }
}

/** The store cannot be reached or written. */
export class StoreUnavailableError extends TqError {
  constructor(message: string) {
    super("store_unavailable", message);
  }
}

/**
 * The store's layout was written by a newer tq than this one (its layout version is above
 * every version this code knows): nothing is read or written until tq is upgraded.
 *
 * @example
 * ```ts
 * import { StoreTooNewError } from "./errors.ts";
 * const error = new StoreTooNewError("KV file ./data/tq.db", 3, 1);
 * console.assert(error.code === "store_unavailable" && error.version === 3);
 * ```
 */
export class StoreTooNewError extends StoreUnavailableError {
  constructor(store: string, readonly version: number, readonly knownVersion: number) {
    super(
      `${store} has layout version ${version}, newer than this tq knows (${knownVersion}): ` +
        `upgrade tq to open it`,
    );
  }
}

/** A request without a valid API token (see `src/http/auth/`). */
export class UnauthorizedError extends TqError {
  constructor(message: string) {
    super("unauthorized", message);
  }
}

/** A valid token that may not do this (a read-only token asking to change jobs), or a
 * cross-site request. */
export class ForbiddenError extends TqError {
  constructor(message: string) {
    super("forbidden", message);
  }
}

/** A request over one of the API's limits (`src/http/limits.ts`); `limit` names it. */
export class LimitExceededError extends TqError {
  constructor(
    readonly limit: string,
    readonly max: number,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super("limit_exceeded", message, { limit, max, ...details });
  }
}

/**
 * Thrown by a handler to fail its job at once, without the retries left.
 *
 * @example
 * ```ts
 * import { UnrecoverableError } from "./errors.ts";
 * function charge(cardValid: boolean) {
 *   if (!cardValid) throw new UnrecoverableError("card was declined");
 * }
 * ```
 */
export class UnrecoverableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnrecoverableError";
  }
}

/**
 * A durable step misused or unstorable: a name used twice, steps reached in another order
 * on replay than the record holds, a result that is not JSON or too large. It names the
 * step; the job fails without its retries left, since a retry would fail the same way.
 *
 * @example
 * ```ts
 * import { StepError } from "./errors.ts";
 * const error = new StepError("charge", 'step name "charge" is used twice in one job');
 * console.assert(error.step === "charge" && error.name === "StepError");
 * ```
 */
export class StepError extends UnrecoverableError {
  constructor(readonly step: string, message: string) {
    super(message);
    this.name = "StepError";
  }
}

/**
 * A protocol worker's lease token no longer holds its job's lease: the lease expired and
 * the job was rescued or claimed again, the job was canceled or deleted, or it ended.
 * Nothing was changed; `state` is the job's state now (null when it is gone).
 */
export class LeaseLostError extends TqError {
  constructor(readonly jobId: string, readonly state: string | null, why: string) {
    super("lease_lost", `lease of job "${jobId}" lost: ${why}`, { job_id: jobId, state });
  }
}

/** Why a running attempt was stopped from outside its handler. */
export type JobStopCause = "timeout" | "canceled" | "lease_lost" | "shutdown";

/**
 * The reason of a handler's `ctx.signal` once it aborts: `cause` says why, so a handler
 * can tell a cancel from a timeout. A timed-out attempt is recorded as a `TimeoutError`.
 *
 * @example
 * ```ts
 * import { JobStopped } from "./errors.ts";
 * const controller = new AbortController();
 * controller.abort(new JobStopped("canceled", "job canceled: by user"));
 * const reason = controller.signal.reason;
 * console.assert(reason instanceof JobStopped && reason.cause === "canceled");
 * ```
 */
export class JobStopped extends Error {
  override readonly cause: JobStopCause;

  constructor(cause: JobStopCause, message: string) {
    super(message);
    this.name = "JobStopped";
    this.cause = cause;
  }
}

/** What a {@linkcode RateLimitedError} may also ask for. */
export interface RateLimitedOptions {
  /** Also hold the task's other jobs for the same time, in every worker. */
  pauseTask?: boolean;
}

/** The wait {@linkcode RateLimitedError.fromResponse} assumes without a usable `Retry-After`. */
export const DEFAULT_RETRY_AFTER_MS = 60_000;

/** The longest deferral: one day (a longer `Retry-After` is cut to it). */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * Thrown by a handler to put its job back for `retryAfterMs` without using an attempt (an
 * upstream answered 429, say). With `pauseTask`, the task's other jobs wait as long too.
 *
 * @example
 * ```ts
 * import { RateLimitedError } from "./errors.ts";
 * const res = new Response(null, { status: 429, headers: { "retry-after": "30" } });
 * const error = RateLimitedError.fromResponse(res);
 * console.assert(error.retryAfterMs === 30_000 && !error.pauseTask);
 * ```
 */
export class RateLimitedError extends Error {
  /** How long the job (and, with `pauseTask`, its task) waits, in ms. */
  readonly retryAfterMs: number;
  readonly pauseTask: boolean;

  constructor(retryAfterMs: number, options: RateLimitedOptions = {}) {
    if (!Number.isFinite(retryAfterMs) || retryAfterMs < 0) {
      throw new RangeError(`retryAfterMs must be a number of ms from 0, got ${retryAfterMs}`);
    }
    const ms = Math.min(Math.ceil(retryAfterMs), MAX_RETRY_AFTER_MS);
    super(`rate limited: retry in ${ms} ms${options.pauseTask ? " (task paused)" : ""}`);
    this.name = "RateLimitedError";
    this.retryAfterMs = ms;
    this.pauseTask = options.pauseTask ?? false;
  }

  /**
   * The error for an upstream's response, from its `Retry-After` header: seconds, or an
   * HTTP date (read against `now`). Missing or unreadable: {@linkcode DEFAULT_RETRY_AFTER_MS}.
   *
   * @example
   * ```ts
   * import { RateLimitedError } from "./errors.ts";
   * const res = new Response(null, {
   *   status: 503,
   *   headers: { "retry-after": "Thu, 01 Jan 1970 00:01:00 GMT" },
   * });
   * console.assert(RateLimitedError.fromResponse(res, { now: 0 }).retryAfterMs === 60_000);
   * ```
   */
  static fromResponse(
    res: Response,
    { now = Date.now(), defaultMs = DEFAULT_RETRY_AFTER_MS, pauseTask }:
      & RateLimitedOptions
      & { now?: number; defaultMs?: number } = {},
  ): RateLimitedError {
    return new RateLimitedError(retryAfterMs(res.headers.get("retry-after"), now, defaultMs), {
      pauseTask,
    });
  }
}

/** A `Retry-After` value in ms from `now`. */
function retryAfterMs(header: string | null, now: number, defaultMs: number): number {
  const value = header?.trim() ?? "";
  if (/^\d+$/.test(value)) return Number(value) * 1_000;
  const at = value === "" ? NaN : Date.parse(value);
  return Number.isNaN(at) ? defaultMs : Math.max(0, at - now);
}

/**
 * Whether `error` is a {@linkcode RateLimitedError}, also one from another copy of tq's
 * module (a tasks module importing tq by another specifier): by name and fields.
 *
 * @example
 * ```ts
 * import { isRateLimited, RateLimitedError } from "./errors.ts";
 * console.assert(isRateLimited(new RateLimitedError(5)) && !isRateLimited(new Error("x")));
 * ```
 */
export function isRateLimited(error: unknown): error is RateLimitedError {
  if (error instanceof RateLimitedError) return true;
  if (!(error instanceof Error) || error.name !== "RateLimitedError") return false;
  const ms = (error as Partial<RateLimitedError>).retryAfterMs;
  return typeof ms === "number" && Number.isFinite(ms) && ms >= 0;
}
