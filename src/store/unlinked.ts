/**
 * What a store refuses to write on its own: jobs linked to other jobs. A new job with
 * `dependsOn` changes its parents, one with a group or concurrency key its key's lanes and
 * their tails, and a job settling with dependants changes them, which a store's plain insert
 * and update would leave out; `src/flows/linked_store.ts` writes them over `recordCommit`. A
 * `RangeError` here is a caller that bypassed it.
 *
 * @example
 * ```ts
 * import { refuseLinked } from "./unlinked.ts";
 * refuseLinked([]); // nothing linked: nothing thrown
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import { settlesDependants } from "../transitions/mod.ts";
import type { JobUpdate } from "./store.ts";

/**
 * Throws `RangeError` for a job with `dependsOn` (its parents must gain it as a dependant),
 * a group or a concurrency key (its key's lanes must place it).
 *
 * @example
 * ```ts
 * import { refuseLinked } from "./unlinked.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const child = createJob({ id: "c", task: "t", input: 1, dependsOn: ["p"] }, 0);
 * try { refuseLinked([child]); } catch (error) { console.assert(error instanceof RangeError); }
 * ```
 */
export function refuseLinked(jobs: Job[]): void {
  const linked = jobs.find((job) =>
    job.dependsOn !== undefined || job.group !== undefined || job.concurrencyKey !== undefined
  );
  if (linked) {
    throw new RangeError(
      `job ${linked.id}: jobs with depends_on, a group or a concurrency key are linked ` +
        "above the store (withLinks)",
    );
  }
}

/**
 * Throws `RangeError` for an update that settles dependants: they change in its commit.
 *
 * @example
 * ```ts
 * import { refuseSettling } from "./unlinked.ts";
 * refuseSettling([]); // nothing settling: nothing thrown
 * ```
 */
export function refuseSettling(updates: JobUpdate[]): void {
  const settling = updates.find(({ before, after }) => settlesDependants(before, after));
  if (settling) {
    throw new RangeError(
      `job ${settling.before.id}: a job with dependants settles with them above the store ` +
        "(withLinks)",
    );
  }
}
