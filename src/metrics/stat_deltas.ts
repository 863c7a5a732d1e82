/**
 * The statistics a job change adds to, as a pure function of the record before and after.
 * Each process sums them over the job changes its store reports writing (`stat_tally.ts`)
 * and flushes the sums to records every second (`stats_flusher.ts`); `stats_read.ts` adds
 * every process's records up.
 *
 * | key | counts |
 * | --- | --- |
 * | `["jobs", event, queue, task]` | `enqueued`, `started`, `finished`, `failed`, `retried`, `deferred`, `canceled`, `expired` |
 * | `["hist", "run" \| "wait", queue, task, i]` | observations in bucket `i` of {@linkcode BUCKETS_SECONDS} (not cumulative) |
 * | `["hist_ms", "run" \| "wait", queue, task]` | sum of the observations, in ms |
 * | `["minute", epochMinute, "finished" \| "failed"]` | jobs ended in that minute |
 *
 * Run time is from start to the end of the attempt; wait is from when the job became
 * ready (enqueue, or the end of its delay or backoff) to its start.
 *
 * @example
 * ```ts
 * import { statDeltas } from "./stat_deltas.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const job = createJob({ id: "a", task: "t", input: 1 }, 0);
 * console.assert(statDeltas(null, job)[0].key[1] === "enqueued");
 * ```
 * @module
 */
import type { Job } from "../job.ts";

/**
 * Where a statistic is summed, e.g. `["jobs", "finished", queue, task]`: a tuple of
 * strings and integers, laid out as the table above says.
 */
export type StatKey = readonly (string | number)[];

/** One statistic's change, or its current sum. */
export interface StatEntry {
  key: StatKey;
  value: number;
}

/** Upper bounds of the histogram buckets, in seconds; the last bucket is +Inf. */
export const BUCKETS_SECONDS = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
  300,
  1800,
] as const;

/** The events counted per queue and task. */
export const JOB_EVENTS = [
  "enqueued",
  "started",
  "finished",
  "failed",
  "retried",
  "deferred",
  "suspended",
  "canceled",
  "expired",
];

/** One minute, as counted in `["minute", …]` keys. */
export const MINUTE_MS = 60_000;

/**
 * The index of the bucket an observation of `ms` falls in.
 *
 * @example
 * ```ts
 * import { bucketIndex } from "./stat_deltas.ts";
 * console.assert(bucketIndex(3) === 0 && bucketIndex(7_200_000) === 15);
 * ```
 */
export function bucketIndex(ms: number): number {
  const seconds = ms / 1000;
  const i = BUCKETS_SECONDS.findIndex((bound) => seconds <= bound);
  return i === -1 ? BUCKETS_SECONDS.length : i;
}

function observe(out: StatEntry[], kind: "run" | "wait", job: Job, ms: number): void {
  const value = Math.max(0, Math.round(ms));
  out.push({ key: ["hist", kind, job.queue, job.task, bucketIndex(value)], value: 1 });
  out.push({ key: ["hist_ms", kind, job.queue, job.task], value });
}

function count(out: StatEntry[], event: string, job: Job): void {
  out.push({ key: ["jobs", event, job.queue, job.task], value: 1 });
}

/** Run time of the attempt that `before` (started) ended as `after`. */
function runMs(before: Job, after: Job): number {
  const end = after.endedAt ?? after.errors.at(-1)?.at ?? before.startedAt ?? 0;
  return end - (before.startedAt ?? end);
}

/**
 * What a change from `before` to `after` adds (null: no such job; a delete adds nothing).
 *
 * @example
 * ```ts
 * import { statDeltas } from "./stat_deltas.ts";
 * import { claimJob, createJob, finishJob } from "../transitions/mod.ts";
 * const started = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "w",
 *   now: 40,
 *   leaseMs: 1_000,
 * });
 * const done = finishJob(started, { now: 90, result: null, ttlMs: 1 });
 * const keys = statDeltas(started, done).map((d) => d.key.join(" "));
 * console.assert(keys.includes("jobs finished default t"));
 * ```
 */
export function statDeltas(before: Job | null, after: Job | null): StatEntry[] {
  const out: StatEntry[] = [];
  if (!after) return out;
  if (!before) {
    count(out, "enqueued", after);
    return out;
  }
  if (before.state === after.state) return out;
  if (after.state === "canceled" && after.cancelReason === "expired") count(out, "expired", after);
  if ((after.deferrals ?? 0) > (before.deferrals ?? 0)) {
    count(out, "deferred", after); // put back without using an attempt: not a retry
    observe(out, "run", after, runMs(before, after));
  } else if (
    before.state === "started" &&
    (after.state === "waiting" || (after.state === "scheduled" && after.attempts < before.attempts))
  ) {
    count(out, "suspended", after); // a sleep or a wait (src/steps/): the attempt given back
  } else if (before.state === "queued" && after.state === "started") {
    count(out, "started", after);
    observe(out, "wait", after, (after.startedAt ?? before.runAt) - before.runAt);
  } else if (before.state === "started" && after.state !== "queued") {
    const event = after.state === "scheduled" ? "retried" : after.state;
    count(out, event, after);
    observe(out, "run", after, runMs(before, after));
  } else if (
    after.state === "queued" && (before.state === "failed" || before.state === "canceled")
  ) {
    count(out, "retried", after);
  } else if (after.state === "canceled") {
    count(out, "canceled", after);
  }
  if (after.state === "finished" || after.state === "failed") {
    const minute = Math.floor((after.endedAt ?? 0) / MINUTE_MS);
    out.push({ key: ["minute", minute, after.state], value: 1 });
  }
  return out;
}
