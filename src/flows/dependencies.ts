/**
 * What a parent's outcome does to a job that depends on it, as pure functions (like
 * `src/transitions.ts`): a finished parent brings a `deferred` child one step closer to
 * running; a parent that failed for good or was canceled cancels it, naming the parent.
 * Stores apply these in the same commit as the parent's own change.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions.ts";
 * import { parentSettled } from "./dependencies.ts";
 * const child = createJob({ id: "c", task: "t", input: 1, dependsOn: ["p"] }, 0);
 * const parent = { ...createJob({ id: "p", task: "t", input: 1 }, 0), state: "finished" as const };
 * console.assert(parentSettled(child, parent, 5).state === "queued");
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import { withCallbackDue } from "../callbacks/callback_state.ts";

/** The states after which a parent can no longer finish, so its dependants never run. */
export function isLost(state: Job["state"]): boolean {
  return state === "failed" || state === "canceled";
}

/**
 * A deferred child after one of its parents ended (`finished`, `failed` or `canceled`) at
 * `now`. Jobs no longer deferred (canceled by hand, say) are returned unchanged.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions.ts";
 * import { parentSettled } from "./dependencies.ts";
 * const child = createJob({ id: "c", task: "t", input: 1, dependsOn: ["p"] }, 0);
 * const failed = { ...createJob({ id: "p", task: "t", input: 1 }, 0), state: "failed" as const };
 * console.assert(parentSettled(child, failed, 5).cancelReason === "parent p failed");
 * ```
 */
export function parentSettled(child: Job, parent: Job, now: number): Job {
  if (child.state !== "deferred") return child;
  // The next job of an ordered group goes on however the one before it ended (guards/group.ts).
  const released = parent.state === "finished" ||
    (child.groupAfter === parent.id && isLost(parent.state));
  if (isLost(parent.state) && !released) {
    return withCallbackDue(child, {
      ...child,
      state: "canceled",
      version: child.version + 1,
      cancelReason: `parent ${parent.id} ${parent.state}`,
      endedAt: now,
      // Kept as long as the parent that took it down.
      expiresAt: parent.expiresAt ?? now,
    });
  }
  if (!released) return child;
  const pending = (child.pendingParents ?? 1) - 1;
  if (pending > 0) return { ...child, pendingParents: pending, version: child.version + 1 };
  const { pendingParents: _, ...rest } = child;
  const runAt = Math.max(child.runAt, now);
  return {
    ...rest,
    state: child.runAt > now ? "scheduled" : "queued",
    runAt,
    version: child.version + 1,
  };
}

/**
 * A parent that has just reached a terminal state and has dependants to settle.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions.ts";
 * import { settlesDependants } from "./dependencies.ts";
 * const job = createJob({ id: "a", task: "t", input: 1 }, 0);
 * console.assert(!settlesDependants(job, { ...job, state: "finished" })); // no dependants
 * ```
 */
export function settlesDependants(before: Job | null, after: Job): boolean {
  if (!after.dependants?.length) return false;
  const ended = after.state === "finished" || isLost(after.state);
  return ended && before?.state !== after.state;
}
