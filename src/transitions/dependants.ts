/**
 * What a parent's outcome does to a job that waits for it: a finished parent brings a
 * `deferred` child one step closer to running; a parent that failed for good or was
 * canceled cancels it, naming the parent. The next job of an ordered group or concurrency
 * lane waits for the one before it the same way (`src/guards/group.ts`). Stores apply these
 * in the same commit as the parent's own change (`src/flows/cascade.ts`).
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { parentSettled } from "./dependants.ts";
 * const child = createJob({ id: "c", task: "t", input: 1, dependsOn: ["p"] }, 0);
 * const parent = { ...createJob({ id: "p", task: "t", input: 1 }, 0), state: "finished" as const };
 * console.assert(parentSettled(child, parent, 5).state === "queued");
 * ```
 * @module
 */
import type { Job, JobState } from "../job.ts";
import { move } from "./moves.ts";

/**
 * The states after which a parent can no longer finish, so its dependants never run.
 *
 * @example
 * ```ts
 * import { isLost } from "./dependants.ts";
 * console.assert(isLost("canceled") && !isLost("finished"));
 * ```
 */
export function isLost(state: JobState): boolean {
  return state === "failed" || state === "canceled";
}

/**
 * A deferred job now waits for `pending` parents; at none it is released: queued, or
 * scheduled while its `runAt` lies after `now`.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { waitForParents } from "./dependants.ts";
 * const child = createJob({ id: "c", task: "t", input: 1, dependsOn: ["p", "q"] }, 0);
 * console.assert(waitForParents(child, { pending: 1, now: 5 }).pendingParents === 1);
 * console.assert(waitForParents(child, { pending: 0, now: 5 }).state === "queued");
 * ```
 */
export function waitForParents(job: Job, { pending, now }: { pending: number; now: number }): Job {
  if (pending > 0) return move(job, "waitForParents", { pendingParents: pending });
  return move(job, "waitForParents", {
    state: job.runAt > now ? "scheduled" : "queued",
    runAt: Math.max(job.runAt, now),
    pendingParents: undefined,
  });
}

/**
 * A deferred child after one of its parents ended (`finished`, `failed` or `canceled`) at
 * `now`. Jobs no longer deferred (canceled by hand, say) are returned unchanged.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { parentSettled } from "./dependants.ts";
 * const child = createJob({ id: "c", task: "t", input: 1, dependsOn: ["p"] }, 0);
 * const failed = { ...createJob({ id: "p", task: "t", input: 1 }, 0), state: "failed" as const };
 * console.assert(parentSettled(child, failed, 5).cancelReason === "parent p failed");
 * ```
 */
export function parentSettled(child: Job, parent: Job, now: number): Job {
  if (child.state !== "deferred") return child;
  // The next job of an ordered group goes on however the one before it ended.
  const released = parent.state === "finished" ||
    (child.groupAfter === parent.id && isLost(parent.state));
  if (isLost(parent.state) && !released) {
    return move(child, "loseParent", {
      state: "canceled",
      cancelReason: `parent ${parent.id} ${parent.state}`,
      endedAt: now,
      // Kept as long as the parent that took it down.
      expiresAt: parent.expiresAt ?? now,
    });
  }
  if (!released) return child;
  return waitForParents(child, { pending: (child.pendingParents ?? 1) - 1, now });
}

/**
 * A parent that has just reached a terminal state and has dependants to settle.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { settlesDependants } from "./dependants.ts";
 * const job = createJob({ id: "a", task: "t", input: 1 }, 0);
 * console.assert(!settlesDependants(job, { ...job, state: "finished" })); // no dependants
 * ```
 */
export function settlesDependants(before: Job | null, after: Job): boolean {
  if (!after.dependants?.length) return false;
  const ended = after.state === "finished" || isLost(after.state);
  return ended && before?.state !== after.state;
}

/**
 * A new job of a full lane (an ordered group, or a concurrency key at its limit) waits
 * behind the lane's job `previousId`: deferred until that one ends. The record is not
 * written yet, so it keeps its version.
 *
 * @example
 * ```ts
 * import { createJob } from "./create.ts";
 * import { waitInLane } from "./dependants.ts";
 * const next = waitInLane(createJob({ id: "b", task: "t", input: 1, group: "g" }, 0), "a");
 * console.assert(next.state === "deferred" && next.groupAfter === "a" && next.version === 1);
 * ```
 */
export function waitInLane(job: Job, previousId: string): Job {
  const waiting = move(job, "waitInLane", {
    state: "deferred",
    groupAfter: previousId,
    pendingParents: 1,
  });
  return { ...waiting, version: job.version };
}
