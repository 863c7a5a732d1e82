/**
 * The one rendering of a job for the outside world (the HTTP API, later the CLI): snake_case
 * keys, ISO-8601 times, `null` rather than missing fields, so clients see a fixed shape.
 *
 * @example
 * ```ts
 * import { createJob } from "./transitions/mod.ts";
 * import { jobJson } from "./job_json.ts";
 * const json = jobJson(createJob({ id: "01J", task: "noop", input: {} }, 0));
 * console.assert(json.status === "queued" && json.created_at === "1970-01-01T00:00:00.000Z");
 * ```
 * @module
 */
import {
  type Job,
  type JobError,
  type JobProgress,
  type JobState,
  type JobStep,
  type JobStepKind,
  type JobStepState,
  lastError,
} from "./job.ts";
import { isoTime } from "./input_rules.ts";

export { isoTime };

/** One failed attempt, as the API shows it. */
export interface JobErrorJson {
  attempt: number;
  at: string;
  name: string;
  message: string;
  stack: string | null;
  worker_id: string | null;
}

/** A job, as the API shows it. */
export interface JobJson {
  id: string;
  task: string;
  queue: string;
  priority: number;
  status: JobState;
  input: unknown;
  result: unknown;
  /** The last failed attempt, or null. */
  error: JobErrorJson | null;
  /** Every failed attempt, oldest first. */
  errors: JobErrorJson[];
  attempts: number;
  max_attempts: number;
  /** Null only for a time out of the Date range (stored before times were checked). */
  created_at: string | null;
  run_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  worker_id: string | null;
  cancel_requested: boolean;
  /** `"expired"` for a job not started by its `expires_at`. */
  cancel_reason: string | null;
  /** When the job expires if not started by then, or null. */
  expires_at: string | null;
  /** Times it was put back without using an attempt (`RateLimitedError`, a held task). */
  deferrals: number;
  /** The jobs it waits for (or waited for), and those waiting for it. */
  depends_on: string[];
  dependants: string[];
  /** The flow it is a node of (`GET /flows/{id}`). */
  flow_id: string | null;
  /** Its ordered group, if any. */
  group: string | null;
  /** Its concurrency key and that key's limit, if any (`src/guards/concurrency.ts`). */
  concurrency_key: string | null;
  concurrency_limit: number | null;
  /** The handler's last `ctx.progress()` report, or null. */
  progress: JobProgress | null;
  /** Its completion callback (null without `callback_url`). */
  callback: CallbackJson | null;
  /** Its durable steps as a timeline, in the order the handler reached them. */
  steps: StepJson[];
}

/** One durable step, as the API shows it. */
export interface StepJson {
  name: string;
  /** `run` (`ctx.step`), `sleep` (`ctx.sleep`) or `event` (`ctx.waitForEvent`). */
  kind: JobStepKind;
  /** `finished`, `failed` (run again on the next attempt), `sleeping` or `waiting`. */
  state: JobStepState;
  /** The attempt that last ran it. */
  attempt: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  /** A finished step's result (a wait's event data; null when it timed out). */
  result: unknown;
  error: { name: string; message: string } | null;
  /** When a sleep ends, or a wait times out. */
  until: string | null;
  /** A wait's event and key. */
  event: string | null;
  key: string | null;
}

/**
 * Renders a step for the job's timeline.
 *
 * @example
 * ```ts
 * import { stepJson } from "./job_json.ts";
 * const json = stepJson({ name: "a", kind: "run", state: "finished", attempt: 1, startedAt: 0,
 *   finishedAt: 40, result: 1 });
 * console.assert(json.duration_ms === 40);
 * ```
 */
export function stepJson(step: JobStep): StepJson {
  return {
    name: step.name,
    kind: step.kind,
    state: step.state,
    attempt: step.attempt,
    started_at: isoTime(step.startedAt),
    finished_at: isoTime(step.finishedAt),
    duration_ms: step.finishedAt === undefined ? null : step.finishedAt - step.startedAt,
    result: step.result ?? null,
    error: step.error ?? null,
    until: isoTime(step.until),
    event: step.event ?? null,
    key: step.kind === "event" ? step.key ?? "" : null,
  };
}

/** Where a job's completion callback stands, as the API shows it. */
export interface CallbackJson {
  /**
   * `waiting` (the job has not ended), `pending` (due or being tried; the pruner keeps the
   * job meanwhile), `delivered` (accepted by the receiver), `gave_up` (after its last try) or
   * `refused` (its host resolved to an address the callback egress policy refuses).
   */
  state: "waiting" | "pending" | "delivered" | "gave_up" | "refused";
  /** POSTs tried so far. */
  attempts: number;
  /** While pending: when the next try is due. */
  next_attempt_at: string | null;
  /** Why the callback was refused (state `refused`), else null. */
  refusal: string | null;
}

/**
 * A job's callback as the API shows it, or null when it has none.
 *
 * @example
 * ```ts
 * import { createJob } from "./transitions/mod.ts";
 * import { callbackJson } from "./job_json.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, callbackUrl: "http://x/cb" }, 0);
 * console.assert(callbackJson({ ...job, callbackDueAt: 5 })?.state === "pending");
 * ```
 */
export function callbackJson(job: Job): CallbackJson | null {
  if (job.callbackUrl === undefined) return null;
  const state = job.callbackOutcome ??
    (job.callbackDueAt !== undefined ? "pending" : "waiting");
  return {
    state,
    attempts: job.callbackTries ?? 0,
    next_attempt_at: isoTime(job.callbackDueAt),
    refusal: job.callbackRefusal ?? null,
  };
}

function errorJson(error: JobError): JobErrorJson {
  return {
    attempt: error.attempt,
    at: isoTime(error.at) ?? "",
    name: error.name,
    message: error.message,
    stack: error.stack ?? null,
    worker_id: error.workerId ?? null,
  };
}

/**
 * Renders a job as API JSON.
 *
 * @example
 * ```ts
 * import { createJob } from "./transitions/mod.ts";
 * import { jobJson } from "./job_json.ts";
 * console.assert(jobJson(createJob({ id: "a", task: "t", input: 1 }, 0)).error === null);
 * ```
 */
export function jobJson(job: Job): JobJson {
  const last = lastError(job);
  return {
    id: job.id,
    task: job.task,
    queue: job.queue,
    priority: job.priority,
    status: job.state,
    input: job.input ?? null,
    result: job.result ?? null,
    error: last ? errorJson(last) : null,
    errors: job.errors.map(errorJson),
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    created_at: isoTime(job.createdAt),
    run_at: isoTime(job.runAt),
    started_at: isoTime(job.startedAt),
    ended_at: isoTime(job.endedAt),
    worker_id: job.workerId ?? null,
    cancel_requested: job.cancelRequested ?? false,
    cancel_reason: job.cancelReason ?? null,
    expires_at: isoTime(job.startBy),
    deferrals: job.deferrals ?? 0,
    depends_on: job.dependsOn ?? [],
    dependants: job.dependants ?? [],
    flow_id: job.flow?.id ?? null,
    group: job.group ?? null,
    concurrency_key: job.concurrencyKey ?? null,
    concurrency_limit: job.concurrencyLimit ?? null,
    progress: job.progress ?? null,
    callback: callbackJson(job),
    steps: (job.steps ?? []).map(stepJson),
  };
}

/**
 * The body of a job's completion callback: its JSON without `callback`, which changes with
 * every try, so every try of one callback sends the same bytes (`x-tq-callback-try` counts).
 *
 * @example
 * ```ts
 * import { createJob } from "./transitions/mod.ts";
 * import { callbackBody } from "./job_json.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, callbackUrl: "http://x/cb" }, 0);
 * console.assert(!("callback" in callbackBody(job)));
 * ```
 */
export function callbackBody(job: Job): Omit<JobJson, "callback"> {
  const { callback: _, ...body } = jobJson(job);
  return body;
}
