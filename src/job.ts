/**
 * The job record: what a producer asked for and everything that happened to it since.
 *
 * @example
 * ```ts
 * import { isTerminal, type Job } from "./job.ts";
 * const done = (job: Job) => isTerminal(job.state);
 * ```
 * @module
 */

/** Every state a job can be in, in the order a job usually moves through them. */
export const JOB_STATES = [
  "deferred",
  "queued",
  "scheduled",
  "started",
  "waiting",
  "finished",
  "failed",
  "canceled",
] as const;

/**
 * Where a job is in its life:
 * - `deferred`: waiting for the jobs it depends on (`dependsOn`) to finish;
 * - `queued`: waiting in its queue's ready index for a worker;
 * - `scheduled`: waiting for `runAt` (a delay, or the backoff before a retry);
 * - `started`: claimed by a worker that holds its lease;
 * - `waiting`: its handler waits for an event (`ctx.waitForEvent`) until `runAt`, its timeout;
 * - `finished`, `failed`, `canceled`: terminal; kept until `expiresAt`.
 */
export type JobState = typeof JOB_STATES[number];

/** The states a job never leaves on its own. */
export type TerminalState = "finished" | "failed" | "canceled";

/**
 * Whether a state is terminal.
 *
 * @example
 * ```ts
 * import { isTerminal } from "./job.ts";
 * console.assert(isTerminal("failed") && !isTerminal("started"));
 * ```
 */
export function isTerminal(state: JobState): state is TerminalState {
  return state === "finished" || state === "failed" || state === "canceled";
}

/** One failed attempt, kept in the job's history. */
export interface JobError {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** When it failed (epoch ms). */
  at: number;
  /** The error's class name, e.g. `TypeError` or `TimeoutError`. */
  name: string;
  message: string;
  stack?: string;
  /** The worker that ran the attempt. */
  workerId?: string;
}

/** How long to wait before each retry: `baseMs · 2^(attempt-1)`, jittered, at most `maxMs`. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** A job as stored. Timestamps are epoch milliseconds. */
export interface Job {
  /** Time-ordered id (ULID): sorting ids sorts jobs by enqueue order. */
  id: string;
  task: string;
  queue: string;
  /** Lower runs first within a queue; equal priorities run in `runAt`, then enqueue, order. */
  priority: number;
  /** The task's input as JSON, validated against the task's schema at enqueue. */
  input: unknown;
  state: JobState;
  /** Bumped by every change: the store refuses a change made from an older version. */
  version: number;
  /** Attempts started so far. */
  attempts: number;
  maxAttempts: number;
  backoff: Backoff;
  /** How long one attempt may run before its signal aborts and the attempt fails. */
  timeoutMs: number;
  createdAt: number;
  /**
   * When the job may run (enqueue time, or a delay, or the end of a retry's backoff or of a
   * `ctx.sleep`); while `waiting`, when the wait times out.
   */
  runAt: number;
  startedAt?: number;
  /** When it reached a terminal state. */
  endedAt?: number;
  /** The worker running it (while started) or that ran it last. */
  workerId?: string;
  /** While started: after this the rescuer may hand the job to another worker. */
  leaseExpiresAt?: number;
  /** Set when cancel was asked for while the job was running. */
  cancelRequested?: boolean;
  cancelReason?: string;
  result?: unknown;
  /** One entry per failed attempt, oldest first. */
  errors: JobError[];
  /** When the pruner deletes a terminal job. */
  expiresAt?: number;
  /**
   * When a job not started yet expires (`expires_at` in the API): it is then canceled with
   * reason `expired` and never runs (see `expireJob` in `src/transitions/schedule.ts`).
   */
  startBy?: number;
  /**
   * Times the job was put back without using an attempt: its handler threw
   * `RateLimitedError`, or its task was held by another job's `pauseTask`.
   */
  deferrals?: number;
  /**
   * The W3C trace context (`traceparent`) of the span that enqueued the job, when tracing is
   * on; the worker's `tq.job <task>` span is its child (see `src/trace_context.ts`).
   */
  traceparent?: string;
  /** What the handler last reported with `ctx.progress()`: a percentage or a small object. */
  progress?: JobProgress;
  /** The batch of a bulk enqueue this job belongs to (`GET /batches/{id}`). */
  batchId?: string;
  /** The jobs that must finish before this one runs (their results: `ctx.parents`). */
  dependsOn?: string[];
  /** While deferred: how many of `dependsOn` have not finished yet. */
  pendingParents?: number;
  /** The jobs that depend on this one, which its settling promotes or cancels. */
  dependants?: string[];
  /** The flow this job is a node of (see `src/flows/`). */
  flow?: FlowRef;
  /** Its ordered group: one job of a group runs at a time, in enqueue order (`src/guards/group.ts`). */
  group?: string;
  /**
   * Its concurrency key: at most `concurrencyLimit` jobs with this key are queued or running
   * at once, across every worker (`src/guards/group.ts`: the mechanism groups use).
   */
  concurrencyKey?: string;
  /** With `concurrencyKey`: how many of the key's jobs may be queued or running at once. */
  concurrencyLimit?: number;
  /**
   * The job of its group or concurrency key it runs after (while deferred: waits for that
   * job to end).
   */
  groupAfter?: string;
  /** Where the final job JSON is POSTed once the job ends (see `src/callbacks/`). */
  callbackUrl?: string;
  /** While the completion callback is pending: when it is next due (epoch ms). */
  callbackDueAt?: number;
  /** Completion callback POSTs tried so far. */
  callbackTries?: number;
  /**
   * How the completion callback ended: accepted by the receiver, given up, or refused by
   * the egress policy (`src/callbacks/egress.ts`) without being sent.
   */
  callbackOutcome?: "delivered" | "gave_up" | "refused";
  /** Why the egress policy refused the callback. */
  callbackRefusal?: string;
  /** Its durable steps (`ctx.step`, `ctx.sleep`, `ctx.waitForEvent`), in the order reached. */
  steps?: JobStep[];
  /** While `waiting`: the event it waits for (the store indexes waiting jobs by it). */
  waitEvent?: string;
  /** While `waiting`: the event's key (`""` for none). */
  waitKey?: string;
}

/** What a durable step does: run code once, sleep, or wait for an event. */
export type JobStepKind = "run" | "sleep" | "event";

/**
 * Where a step is: `finished` steps are replayed from the record; any other is run again
 * when the handler reaches it.
 */
export type JobStepState = "finished" | "failed" | "sleeping" | "waiting";

/** One durable step of a job, as kept in its record. */
export interface JobStep {
  name: string;
  kind: JobStepKind;
  state: JobStepState;
  /** The attempt that last ran it. */
  attempt: number;
  startedAt: number;
  finishedAt?: number;
  /** A finished step's JSON result (the event's data, or null when a wait timed out). */
  result?: unknown;
  /** A failed step's error. */
  error?: { name: string; message: string };
  /** A sleep's end, or a wait's timeout (epoch ms). */
  until?: number;
  /** A wait's event and key. */
  event?: string;
  key?: string;
  /** The event that ended a wait (so a later wait of the job does not take it again). */
  eventId?: string;
}

/** A job's place in a flow; the flow's first job also holds the whole node map. */
export interface FlowRef {
  /** The flow's id: the id of its first job. */
  id: string;
  /** This job's node name. */
  node: string;
  /** On the first job only: every node's job id, by node name. */
  nodes?: Record<string, string>;
}

/** A handler's report of how far it got: a number from 0 to 100, or a small JSON object. */
export type JobProgress = number | Record<string, unknown>;

/**
 * The last error of a job, if any.
 *
 * @example
 * ```ts
 * import { lastError, type Job } from "./job.ts";
 * const message = (job: Job) => lastError(job)?.message ?? "no error";
 * ```
 */
export function lastError(job: Job): JobError | undefined {
  return job.errors.at(-1);
}
