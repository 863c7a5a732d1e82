/**
 * Every change of a job's state, as a pure function from one record to the next. Stores
 * persist what these return; they never decide a transition themselves, so every backend
 * moves jobs the same way.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, finishJob } from "./transitions.ts";
 * const job = createJob({ id: "01J", task: "noop", queue: "default", input: {} }, 0);
 * const running = claimJob(job, { workerId: "w1", now: 1, leaseMs: 30_000 });
 * const done = finishJob(running, { now: 2, result: "ok", ttlMs: 86_400_000 });
 * console.assert(done.state === "finished");
 * ```
 * @module
 */
import { InvalidStateError } from "./errors.ts";
import type { Backoff, FlowRef, Job, JobError, JobProgress, JobState, JobStep } from "./job.ts";
import { withCallbackDue } from "./callbacks/callback_state.ts";

/** Defaults for a job whose task and request leave a field unset. */
export const JOB_DEFAULTS = {
  queue: "default",
  priority: 0,
  maxAttempts: 3,
  backoff: { baseMs: 1_000, maxMs: 3_600_000 } as Backoff,
  timeoutMs: 300_000,
} as const;

/** What a producer asks for; every optional field falls back to {@linkcode JOB_DEFAULTS}. */
export interface JobSpec {
  id: string;
  task: string;
  queue?: string;
  input: unknown;
  priority?: number;
  /** Epoch ms before which the job must not run; absent or past means "now". */
  runAt?: number;
  maxAttempts?: number;
  backoff?: Backoff;
  timeoutMs?: number;
  /** Jobs that must finish first: the job starts `deferred` (see `src/flows/`). */
  dependsOn?: string[];
  /** The flow the job is a node of. */
  flow?: FlowRef;
  /** Its ordered group: the store chains it behind the group's newest job (`src/guards/group.ts`). */
  group?: string;
  /** Its concurrency key and limit: chained like a group with `limit` lanes (`src/guards/group.ts`). */
  concurrency?: { key: string; limit: number };
  /** Where to POST the final job JSON once the job ends (see `src/callbacks/`). */
  callbackUrl?: string;
  /** Epoch ms by which the job must start, or it is canceled as `expired`. */
  startBy?: number;
}

function assertState(job: Job, allowed: readonly JobState[], action: string): void {
  if (!allowed.includes(job.state)) throw new InvalidStateError(job.id, job.state, action);
}

/**
 * The changed record, one version on; a field set to `undefined` is removed, not kept.
 * Built key by key, in the order a spread gives: deleting from a copy would turn it into a
 * slow dictionary object, and every settled job is measured and encoded after this.
 */
function next(job: Job, changes: Partial<Job>): Job {
  const from = job as unknown as Record<string, unknown>;
  const to = changes as Record<string, unknown>;
  const changed: Record<string, unknown> = {};
  for (const key in from) {
    const value = key in to ? to[key] : from[key];
    if (value !== undefined) changed[key] = value;
  }
  for (const key in to) if (!(key in from) && to[key] !== undefined) changed[key] = to[key];
  changed.version = job.version + 1;
  return withCallbackDue(job, changed as unknown as Job);
}

/**
 * A new job record: `queued`, or `scheduled` when `runAt` lies in the future, or
 * `deferred` while it depends on other jobs (the store settles that against the parents).
 *
 * @example
 * ```ts
 * import { createJob } from "./transitions.ts";
 * const later = createJob({ id: "01J", task: "noop", input: {}, runAt: 5_000 }, 0);
 * console.assert(later.state === "scheduled");
 * ```
 */
export function createJob(spec: JobSpec, now: number): Job {
  const runAt = spec.runAt !== undefined && spec.runAt > now ? spec.runAt : now;
  const parents = spec.dependsOn?.length ? spec.dependsOn : undefined;
  const job: Job = {
    id: spec.id,
    task: spec.task,
    queue: spec.queue ?? JOB_DEFAULTS.queue,
    priority: spec.priority ?? JOB_DEFAULTS.priority,
    input: spec.input,
    state: runAt > now ? "scheduled" : "queued",
    version: 1,
    attempts: 0,
    maxAttempts: spec.maxAttempts ?? JOB_DEFAULTS.maxAttempts,
    backoff: spec.backoff ?? JOB_DEFAULTS.backoff,
    timeoutMs: spec.timeoutMs ?? JOB_DEFAULTS.timeoutMs,
    createdAt: now,
    runAt,
    errors: [],
  };
  if (parents) {
    job.state = "deferred";
    job.dependsOn = [...parents];
    job.pendingParents = parents.length;
  }
  if (spec.flow) job.flow = spec.flow;
  if (spec.group !== undefined) job.group = spec.group;
  if (spec.concurrency) {
    job.concurrencyKey = spec.concurrency.key;
    job.concurrencyLimit = spec.concurrency.limit;
  }
  if (spec.callbackUrl !== undefined) job.callbackUrl = spec.callbackUrl;
  if (spec.startBy !== undefined) job.startBy = spec.startBy;
  return job;
}

/**
 * A worker takes a queued job: the attempt counts from here, under a lease.
 *
 * @example
 * ```ts
 * import { claimJob, createJob } from "./transitions.ts";
 * const job = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 10,
 *   leaseMs: 100,
 * });
 * console.assert(job.attempts === 1 && job.leaseExpiresAt === 110);
 * ```
 */
export function claimJob(
  job: Job,
  { workerId, now, leaseMs }: { workerId: string; now: number; leaseMs: number },
): Job {
  assertState(job, ["queued"], "claim");
  return next(job, {
    state: "started",
    attempts: job.attempts + 1,
    startedAt: now,
    workerId,
    leaseExpiresAt: now + leaseMs,
  });
}

/** The running worker's heartbeat pushes the lease out. */
export function extendLease(job: Job, { now, leaseMs }: { now: number; leaseMs: number }): Job {
  assertState(job, ["started"], "extend the lease of");
  return next(job, { leaseExpiresAt: now + leaseMs });
}

/**
 * The running handler reported progress (`ctx.progress()`); the state does not change.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, reportProgress } from "./transitions.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * console.assert(reportProgress(running, { progress: 40 }).progress === 40);
 * ```
 */
export function reportProgress(job: Job, { progress }: { progress: JobProgress }): Job {
  assertState(job, ["started"], "report progress of");
  return next(job, { progress });
}

/** The handler returned: the job is finished with its result, kept for `ttlMs`. */
export function finishJob(
  job: Job,
  { now, result, ttlMs }: { now: number; result: unknown; ttlMs: number },
): Job {
  assertState(job, ["started"], "finish");
  return next(job, {
    state: "finished",
    result,
    endedAt: now,
    leaseExpiresAt: undefined,
    expiresAt: now + ttlMs,
  });
}

/** How an attempt failed, and what the retry policy allows next. */
export interface AttemptFailure {
  now: number;
  error: Omit<JobError, "attempt" | "at">;
  /** The wait before the next attempt (from `retryDelay`). */
  retryDelayMs: number;
  /** How long a job that failed for good is kept. */
  ttlMs: number;
  /** Fail for good even with attempts left (`UnrecoverableError`, a result too large). */
  final?: boolean;
}

/**
 * An attempt failed: retry after the backoff while attempts remain, otherwise `failed`.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, failAttempt } from "./transitions.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1, maxAttempts: 2 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * const after = failAttempt(running, {
 *   now: 5,
 *   error: { name: "Error", message: "boom" },
 *   retryDelayMs: 1_000,
 *   ttlMs: 1,
 * });
 * console.assert(after.state === "scheduled" && after.runAt === 1_005);
 * ```
 */
export function failAttempt(job: Job, failure: AttemptFailure): Job {
  assertState(job, ["started"], "fail");
  const errors = [...job.errors, { ...failure.error, attempt: job.attempts, at: failure.now }];
  if (job.cancelRequested && !failure.final) {
    // Cancel was asked for while this attempt ran: honour it rather than retry.
    return next(job, {
      state: "canceled",
      errors,
      endedAt: failure.now,
      leaseExpiresAt: undefined,
      expiresAt: failure.now + failure.ttlMs,
    });
  }
  if (failure.final || job.attempts >= job.maxAttempts) {
    return next(job, {
      state: "failed",
      errors,
      endedAt: failure.now,
      leaseExpiresAt: undefined,
      expiresAt: failure.now + failure.ttlMs,
    });
  }
  return next(job, {
    state: "scheduled",
    errors,
    runAt: failure.now + failure.retryDelayMs,
    leaseExpiresAt: undefined,
  });
}

/**
 * A worker gives a job back unfinished (shutdown): it is queued again and the attempt
 * does not count; a job whose cancel was asked for meanwhile ends canceled instead.
 */
export function releaseJob(job: Job, { now, ttlMs }: { now: number; ttlMs: number }): Job {
  assertState(job, ["started"], "release");
  if (job.cancelRequested) {
    return cancelJob(job, { now, reason: job.cancelReason ?? "canceled", ttlMs, byWorker: true });
  }
  return next(job, {
    state: "queued",
    attempts: job.attempts - 1,
    runAt: now,
    leaseExpiresAt: undefined,
  });
}

/**
 * The job is put back to `scheduled` until `runAt` without using an attempt: its handler
 * threw `RateLimitedError`, or its task is held (`pauseTask`). `deferrals` counts these; a
 * job whose cancel was asked for meanwhile ends canceled instead.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, deferJob } from "./transitions.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1, maxAttempts: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * const later = deferJob(running, { now: 5, runAt: 1_005, ttlMs: 1 });
 * console.assert(later.state === "scheduled" && later.attempts === 0 && later.deferrals === 1);
 * ```
 */
export function deferJob(
  job: Job,
  { now, runAt, ttlMs }: { now: number; runAt: number; ttlMs: number },
): Job {
  assertState(job, ["started"], "defer");
  if (job.cancelRequested) {
    return cancelJob(job, { now, reason: job.cancelReason ?? "canceled", ttlMs, byWorker: true });
  }
  return next(job, {
    state: runAt > now ? "scheduled" : "queued",
    attempts: job.attempts - 1,
    deferrals: (job.deferrals ?? 0) + 1,
    runAt: Math.max(runAt, now),
    leaseExpiresAt: undefined,
  });
}

/**
 * Whether a job not started yet is past its `startBy` at `now`.
 *
 * @example
 * ```ts
 * import { createJob, isExpired } from "./transitions.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, startBy: 100 }, 0);
 * console.assert(!isExpired(job, 100) && isExpired(job, 101));
 * ```
 */
export function isExpired(job: Job, now: number): boolean {
  return job.startBy !== undefined && now > job.startBy;
}

/**
 * A job that did not start by its `startBy` ends `canceled` with reason `expired` and never
 * runs. A worker that claimed it (state `started`, its handler not called) gives the attempt
 * back.
 *
 * @example
 * ```ts
 * import { createJob, expireJob } from "./transitions.ts";
 * const job = createJob({ id: "a", task: "t", input: 1, startBy: 100 }, 0);
 * const gone = expireJob(job, { now: 200, ttlMs: 1_000 });
 * console.assert(gone.state === "canceled" && gone.cancelReason === "expired");
 * ```
 */
export function expireJob(job: Job, { now, ttlMs }: { now: number; ttlMs: number }): Job {
  assertState(job, ["deferred", "queued", "scheduled", "started"], "expire");
  return next(job, {
    state: "canceled",
    cancelReason: EXPIRED,
    attempts: job.state === "started" ? job.attempts - 1 : job.attempts,
    endedAt: now,
    leaseExpiresAt: undefined,
    expiresAt: now + ttlMs,
  });
}

/** The `cancelReason` of a job that expired before it started. */
export const EXPIRED = "expired";

/** A scheduled job whose time has come joins its queue's ready jobs. */
export function promoteJob(job: Job): Job {
  assertState(job, ["scheduled"], "promote");
  return next(job, { state: "queued" });
}

/**
 * An operator's "run now": a scheduled job (delayed, waiting out a retry's backoff or a
 * deferral, or asleep in `ctx.sleep`) joins its queue's ready jobs at once, keeping its
 * attempts. Any other state is refused (`InvalidStateError` naming it).
 *
 * @example
 * ```ts
 * import { createJob, runJobNow } from "./transitions.ts";
 * const later = createJob({ id: "a", task: "t", input: 1, runAt: 60_000 }, 0);
 * const now = runJobNow(later, { now: 10 });
 * console.assert(now.state === "queued" && now.runAt === 10);
 * ```
 */
export function runJobNow(job: Job, { now }: { now: number }): Job {
  assertState(job, ["scheduled"], "run now");
  // A job asleep in `ctx.sleep` wakes now too: its sleep ends here, so the replayed
  // handler passes it instead of going back to sleep until the original end.
  const steps = job.steps?.map((step) =>
    step.state === "sleeping" ? { ...step, until: Math.min(step.until ?? now, now) } : step
  );
  return next(job, { state: "queued", runAt: now, ...(steps ? { steps } : {}) });
}

/**
 * Cancel: a waiting job is canceled at once; a running one is marked so its worker aborts
 * it (`cancelRequested`), and that worker then calls this again to end it.
 */
export function cancelJob(
  job: Job,
  { now, reason, ttlMs, byWorker = false }: {
    now: number;
    reason: string;
    ttlMs: number;
    byWorker?: boolean;
  },
): Job {
  assertState(job, ["deferred", "queued", "scheduled", "started", "waiting"], "cancel");
  if (job.state === "started" && !byWorker) {
    return next(job, { cancelRequested: true, cancelReason: reason });
  }
  return next(job, {
    state: "canceled",
    cancelReason: reason,
    waitEvent: undefined,
    waitKey: undefined,
    endedAt: now,
    leaseExpiresAt: undefined,
    expiresAt: now + ttlMs,
  });
}

/**
 * A manual retry of a failed or canceled job: queued again with a fresh attempt budget and
 * without its expiry (an expired job retried by hand runs); the history of errors stays.
 */
export function retryJob(job: Job, { now }: { now: number }): Job {
  assertState(job, ["failed", "canceled"], "retry");
  return next(job, {
    state: "queued",
    attempts: 0,
    runAt: now,
    startedAt: undefined,
    endedAt: undefined,
    workerId: undefined,
    expiresAt: undefined,
    cancelRequested: undefined,
    cancelReason: undefined,
    result: undefined,
    startBy: undefined,
  });
}

/** `steps` with `step` in place of the entry of its name, or after the last one. */
function placeStep(steps: JobStep[] = [], step: JobStep): JobStep[] {
  const at = steps.findIndex((s) => s.name === step.name);
  return at === -1 ? [...steps, step] : steps.map((s, i) => i === at ? step : s);
}

/**
 * The running handler finished or failed a step (`ctx.step`), or passed a sleep: the step
 * is kept in the record before the handler goes on; the state does not change.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, recordStep } from "./transitions.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * const step = { name: "export", kind: "run" as const, state: "finished" as const, attempt: 1,
 *   startedAt: 1, finishedAt: 2, result: { rows: 3 } };
 * console.assert(recordStep(running, { step }).steps?.[0].name === "export");
 * ```
 */
export function recordStep(job: Job, { step }: { step: JobStep }): Job {
  assertState(job, ["started"], "record a step of");
  return next(job, { steps: placeStep(job.steps, step) });
}

/**
 * The handler reached a sleep (`ctx.sleep`, a `sleeping` step: `scheduled` until its end)
 * or a wait (`ctx.waitForEvent`, a `waiting` step: `waiting` until the event or its
 * timeout). The job leaves its worker without using an attempt; it counts as started for
 * good, so its `startBy` no longer applies. A job whose cancel was asked for ends canceled.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, suspendJob } from "./transitions.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * const step = { name: "nap", kind: "sleep" as const, state: "sleeping" as const, attempt: 1,
 *   startedAt: 5, until: 2_005 };
 * const asleep = suspendJob(running, { now: 5, step, ttlMs: 1 });
 * console.assert(asleep.state === "scheduled" && asleep.runAt === 2_005 && asleep.attempts === 0);
 * ```
 */
export function suspendJob(
  job: Job,
  { now, step, ttlMs }: { now: number; step: JobStep; ttlMs: number },
): Job {
  assertState(job, ["started"], "suspend");
  if (job.cancelRequested) {
    return cancelJob(job, { now, reason: job.cancelReason ?? "canceled", ttlMs, byWorker: true });
  }
  const until = Math.max(step.until ?? now, now);
  const left = {
    attempts: job.attempts - 1,
    steps: placeStep(job.steps, step),
    runAt: until,
    leaseExpiresAt: undefined,
    startBy: undefined,
  };
  if (step.kind !== "event") {
    return next(job, { ...left, state: until > now ? "scheduled" : "queued" });
  }
  return next(job, { ...left, state: "waiting", waitEvent: step.event, waitKey: step.key ?? "" });
}

/** An event as delivered to a waiting job: its id and data. */
export interface DeliveredEvent {
  id: string;
  data: unknown;
}

/**
 * A waiting job's event came (`event`), or its timeout did (`null`): the wait step finishes
 * with the event's data (or null) and the job is queued to replay its handler.
 *
 * @example
 * ```ts
 * import { claimJob, createJob, resumeJob, suspendJob } from "./transitions.ts";
 * const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 0,
 *   leaseMs: 10,
 * });
 * const step = { name: "approval", kind: "event" as const, state: "waiting" as const,
 *   attempt: 1, startedAt: 0, until: 60_000, event: "order.approved", key: "o1" };
 * const waiting = suspendJob(running, { now: 0, step, ttlMs: 1 });
 * const woken = resumeJob(waiting, { now: 9, event: { id: "e1", data: { ok: true } } });
 * console.assert(woken.state === "queued" && woken.steps?.[0].state === "finished");
 * ```
 */
export function resumeJob(
  job: Job,
  { now, event }: { now: number; event: DeliveredEvent | null },
): Job {
  assertState(job, ["waiting"], "resume");
  const steps = (job.steps ?? []).map((step): JobStep =>
    step.state !== "waiting" ? step : {
      ...step,
      state: "finished",
      finishedAt: now,
      result: event ? event.data : null,
      ...(event ? { eventId: event.id } : {}),
    }
  );
  return next(job, {
    state: "queued",
    runAt: now,
    steps,
    waitEvent: undefined,
    waitKey: undefined,
  });
}
