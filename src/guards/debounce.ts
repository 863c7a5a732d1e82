/**
 * Debounced enqueues: a request carrying `debounce: { key, wait_ms, max_wait_ms? }` (or
 * `EnqueueOptions.debounce`) waits `wait_ms` before it runs; another with the same task and
 * key while that job has not started replaces its input and pushes its start back to
 * `wait_ms` from now, never past `max_wait_ms` after the first, and answers with the same
 * job. The job runs once, with the last input. A task's key is a keyed record
 * (`src/store/records.ts`, space `debounce`, key `<task>:<key>`) naming the waiting job;
 * {@linkcode insertDebounced} reads it and its job and writes what
 * {@linkcode debounceWrite} decides in one record commit checked against both as read, so
 * concurrent producers join one job. This file also holds the checks of the options.
 *
 * @example
 * ```ts
 * import { debounceIssues } from "./debounce.ts";
 * console.assert(debounceIssues({ debounce: { key: "k", waitMs: 0 } })[0].path === "debounce.wait_ms");
 * ```
 * @module
 */
import { type FieldIssue, StoreUnavailableError } from "../errors.ts";
import type { Job } from "../job.ts";
import { textProblem } from "../input_rules.ts";
import type { EnqueueRequest } from "../registry/default_producer.ts";
import type { Store } from "../store/store.ts";
import { debounceJob } from "../transitions/mod.ts";

/** Longest debounce key, in characters. */
export const MAX_DEBOUNCE_KEY_CHARS = 255;
/** The longest `wait_ms`: a day. */
export const MAX_DEBOUNCE_WAIT_MS = 86_400_000;
/** The longest `max_wait_ms`: a week. */
export const MAX_DEBOUNCE_MAX_WAIT_MS = 7 * 86_400_000;
/**
 * How long a key's record outlives its job's start time: a worker may claim the job later
 * than that (all busy, or none running), and until it starts, repeats still join it.
 */
export const DEBOUNCE_RECORD_GRACE_MS = 3_600_000;

/** A request's debounce options. */
export interface DebounceOptions {
  /** Requests of one task with the same key join one job while it waits. */
  key: string;
  /** How long the job waits after the latest request, in ms. */
  waitMs: number;
  /** The latest the job starts after the first request, in ms (no bound if absent). */
  maxWaitMs?: number;
}

const whole = (value: unknown, min: number, max: number) =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

/**
 * What is wrong with a request's `debounce`, by the API's field names.
 *
 * @example
 * ```ts
 * import { debounceIssues } from "./debounce.ts";
 * console.assert(debounceIssues({ debounce: { key: "k", waitMs: 500, maxWaitMs: 100 } })[0].path === "debounce.max_wait_ms");
 * ```
 */
export function debounceIssues(request: Partial<EnqueueRequest>): FieldIssue[] {
  const { debounce } = request;
  if (debounce === undefined) return [];
  const issues: FieldIssue[] = [];
  const { key, waitMs, maxWaitMs } = debounce;
  if (
    typeof key !== "string" || key.length === 0 || key.length > MAX_DEBOUNCE_KEY_CHARS ||
    textProblem(key) !== undefined
  ) {
    issues.push({
      path: "debounce.key",
      message: `must be 1-${MAX_DEBOUNCE_KEY_CHARS} characters of well-formed Unicode ` +
        "without control characters",
    });
  }
  if (!whole(waitMs, 1, MAX_DEBOUNCE_WAIT_MS)) {
    issues.push({
      path: "debounce.wait_ms",
      message: `must be whole milliseconds from 1 to ${MAX_DEBOUNCE_WAIT_MS}`,
    });
  }
  if (maxWaitMs !== undefined && !whole(maxWaitMs, waitMs, MAX_DEBOUNCE_MAX_WAIT_MS)) {
    issues.push({
      path: "debounce.max_wait_ms",
      message: `must be whole milliseconds from wait_ms to ${MAX_DEBOUNCE_MAX_WAIT_MS}`,
    });
  }
  // The debounce decides when the job starts, and its write is one atomic write of its own.
  const others = [
    ["delay", request.delay],
    ["run_at", request.runAt],
    ["expires_in", request.expiresIn],
    ["expires_at", request.expiresAt],
    ["depends_on", request.dependsOn],
    ["idempotency_key", request.idempotencyKey],
    ["group", request.group],
    ["concurrency_key", request.concurrencyKey],
  ] as const;
  for (const [field, value] of others) {
    if (value !== undefined) {
      issues.push({ path: "debounce", message: `not taken together with ${field}` });
    }
  }
  return issues;
}

/** The record behind a task's debounce key. */
export interface DebounceRecord {
  /** The job waiting for the key. */
  jobId: string;
  /** When the first request of the burst came (epoch ms): `max_wait_ms` counts from it. */
  firstAt: number;
}

/** What a debounced enqueue writes. */
export interface DebounceWrite {
  /** The waiting job as read (when the request joins it), or null (a new job). */
  before: Job | null;
  /** The job to write: the new one, or the waiting one with the new input and start. */
  after: Job;
  /** The key's record to write with it. */
  record: DebounceRecord;
  /** How long the record must be kept from now, in ms. */
  ttlMs: number;
}

/**
 * The write of a debounced enqueue of `job` (prepared, `createdAt` is now), given the key's
 * `record` and the job it names (`held`, null when gone), as the store read them.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions/mod.ts";
 * import { debounceWrite } from "./debounce.ts";
 * const first = createJob({ id: "a", task: "t", input: 1 }, 0);
 * const one = debounceWrite({ job: first, record: null, held: null, waitMs: 100 });
 * const next = createJob({ id: "b", task: "t", input: 2 }, 50);
 * const two = debounceWrite({ job: next, record: one.record, held: one.after, waitMs: 100 });
 * console.assert(two.after.id === "a" && two.after.input === 2 && two.after.runAt === 150);
 * ```
 */
export function debounceWrite({ job, record, held, waitMs, maxWaitMs }: {
  job: Job;
  record: DebounceRecord | null;
  held: Job | null;
  waitMs: number;
  maxWaitMs?: number;
}): DebounceWrite {
  const now = job.createdAt;
  const joins = record !== null && held !== null && held.id === record.jobId &&
    held.task === job.task && held.attempts === 0 &&
    (held.state === "scheduled" || held.state === "queued");
  const firstAt = joins ? record.firstAt : now;
  const runAt = Math.min(now + waitMs, firstAt + (maxWaitMs ?? Infinity));
  const moved = debounceJob(joins ? held : job, { now, input: job.input, runAt });
  // A new job is not written yet: it keeps its version.
  const after = joins ? moved : { ...moved, version: job.version };
  return {
    before: joins ? held : null,
    after,
    record: { jobId: after.id, firstAt },
    ttlMs: runAt - now + DEBOUNCE_RECORD_GRACE_MS,
  };
}

/** The record space of debounce keys. */
export const DEBOUNCE_SPACE = "debounce";

/** Reads and tries again this many times while other writers change the key. */
const ATTEMPTS = 20;

/**
 * Inserts `job` (prepared, `createdAt` is now), or joins the job waiting for its task's
 * debounce key: that job gets `job`'s input and a later start (`debounceWrite`). The key's
 * record and the job are one record commit checked against the record and the job as read,
 * so of concurrent requests each writes in turn and the later ones join the job the first
 * wrote. `created` is false when the request joined. Throws `StoreUnavailableError` when the
 * key keeps changing under it.
 *
 * @example
 * ```ts ignore
 * const { job, created } = await insertDebounced(store, { job: prepared, debounce: { key: "user:1", waitMs: 500 } });
 * ```
 */
export async function insertDebounced(
  store: Pick<Store, "recordGet" | "recordCommit" | "jobGet">,
  { job, debounce }: { job: Job; debounce: DebounceOptions },
): Promise<{ job: Job; created: boolean }> {
  // Task names hold no ":" (`define_task.ts`), so the key is the task's own.
  const address = { space: DEBOUNCE_SPACE, key: `${job.task}:${debounce.key}` };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const read = await store.recordGet(address);
    const record = (read?.value ?? null) as DebounceRecord | null;
    const held = record ? await store.jobGet(record.jobId) : null;
    const write = debounceWrite({ job, record, held, ...debounce });
    const written = await store.recordCommit({
      checks: [{ ...address, version: read?.version ?? null }],
      puts: [{ ...address, value: write.record, ttlMs: write.ttlMs }],
      ...write.before
        ? { updates: [{ before: write.before, after: write.after }] }
        : { jobs: [write.after] },
    });
    if (written) return { job: write.after, created: write.before === null };
  }
  throw new StoreUnavailableError(`debounce key "${debounce.key}" kept changing; try again`);
}
