/**
 * A new job record, the start of every job's life: `queued`, `scheduled` or `deferred`.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * const job = createJob({ id: "01J", task: "noop", input: {} }, 0);
 * console.assert(job.state === "queued" && job.version === 1);
 * ```
 * @module
 */
import type { Backoff, FlowRef, Job } from "../job.ts";

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

/**
 * A new job record: `queued`, or `scheduled` when `runAt` lies in the future, or
 * `deferred` while it depends on other jobs (the store settles that against the parents).
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
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
