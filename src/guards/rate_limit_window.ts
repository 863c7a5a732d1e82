/**
 * The sliding-window rule of rate limits, pure so both stores admit jobs the same way (the
 * Redis claim script mirrors it in Lua). A window record holds the start times still inside
 * the window, oldest first; a start at `s` counts until `s + per`. A job is admitted when
 * every window it counts against (`rateLimitKeys`) holds fewer than `max` starts at `now`,
 * and its start is then added to each; so no span of `per` ms ever holds more than `max`
 * starts.
 *
 * @example
 * ```ts
 * import { admitJobs } from "./rate_limit_window.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const jobs = ["a", "b"].map((id) => createJob({ id, task: "send", input: 1 }, 0));
 * const limits = { tasks: { send: { max: 1, per: 1_000 } }, queues: {} };
 * const { admitted, wakeAt } = admitJobs(jobs, { limits, now: 10, windows: new Map() });
 * console.assert(admitted.length === 1 && wakeAt === 1_010);
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import { limitOf, rateLimitKeys, type RateLimits } from "./rate_limit.ts";

/**
 * The starts of a window still inside it at `now`.
 *
 * @example
 * ```ts
 * import { liveStarts } from "./rate_limit_window.ts";
 * console.assert(liveStarts([0, 500, 900], 1_000, 1_000).join() === "500,900");
 * ```
 */
export function liveStarts(starts: readonly number[], now: number, per: number): number[] {
  return starts.filter((start) => start > now - per);
}

/** What {@linkcode admitJobs} decided. */
export interface Admission {
  /** The jobs that may start now, in the order given. */
  admitted: Job[];
  /** The window records this claim changes: key → live starts, the new ones included. */
  changed: Map<string, number[]>;
  /** When a job held back now could be admitted at the earliest; null if none was held. */
  wakeAt: number | null;
}

/**
 * Admits `candidates` (in claim order) against the window records `windows` (key → starts
 * as read; a key absent has none), at most `max` of them.
 *
 * @example
 * ```ts
 * import { admitJobs } from "./rate_limit_window.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const job = createJob({ id: "a", task: "free", input: 1 }, 0);
 * const limits = { tasks: { send: { max: 1, per: 10 } }, queues: {} };
 * console.assert(admitJobs([job], { limits, now: 0, windows: new Map() }).admitted.length === 1);
 * ```
 */
export function admitJobs(
  candidates: readonly Job[],
  { limits, now, windows, max = Infinity }: {
    limits: RateLimits;
    now: number;
    windows: ReadonlyMap<string, readonly number[]>;
    max?: number;
  },
): Admission {
  const live = new Map<string, number[]>();
  const changed = new Map<string, number[]>();
  const startsOf = (key: string) => {
    let starts = live.get(key);
    if (!starts) {
      live.set(key, starts = liveStarts(windows.get(key) ?? [], now, limitOf(limits, key).per));
    }
    return starts;
  };
  const admitted: Job[] = [];
  let wakeAt: number | null = null;
  for (const job of candidates) {
    if (admitted.length >= max) break;
    const keys = rateLimitKeys(limits, job.queue, job.task);
    const full = keys.filter((key) => startsOf(key).length >= limitOf(limits, key).max);
    if (full.length > 0) {
      for (const key of full) {
        const starts = startsOf(key);
        const free = starts[starts.length - limitOf(limits, key).max] + limitOf(limits, key).per;
        wakeAt = Math.min(wakeAt ?? free, free);
      }
      continue;
    }
    for (const key of keys) {
      startsOf(key).push(now);
      changed.set(key, startsOf(key));
    }
    admitted.push(job);
  }
  return { admitted, changed, wakeAt };
}
