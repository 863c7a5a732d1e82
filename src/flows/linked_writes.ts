/**
 * Writes of jobs linked to other jobs, once for every store, over two primitives: read the
 * records (`jobGetMany`) and write them back only if they are still as read
 * (`recordCommit`'s `updates`, each checked against its `before.version`). Inserting jobs
 * with `dependsOn` links them to their parents (`links.ts`: each parent still pending gains
 * the child among its `dependants`); settling a job that has dependants writes the job with
 * what its outcome makes of them (`cascade.ts`), all in one commit. A commit that lost a
 * race is read and computed again.
 *
 * Only the parents that change are checked: a parent read as already ended links its child
 * by the outcome read.
 *
 * @example
 * ```ts ignore
 * const written = await insertLinked(store, [parent, child]); // child comes back deferred
 * const settled = await settleWithDependants(store, { before: parent, after: finished });
 * ```
 * @module
 */
import { StoreUnavailableError } from "../errors.ts";
import type { Job } from "../job.ts";
import type { JobUpdate, Store } from "../store/store.ts";
import { dependantChanges } from "./cascade.ts";
import { linkNewJobs, outsideParents } from "./links.ts";

/** What linked writes read and write through: a store, or a store within a transaction. */
export type LinkedWriter = Pick<Store, "jobGetMany" | "recordCommit">;

/** Reads and commits again this many times when another writer raced us. */
const ATTEMPTS = 5;

/**
 * Inserts `jobs` (some with `dependsOn`) linked to their parents, in one commit with the
 * parents that gain dependants; answers the records written. An unknown parent is the 422
 * of `linkNewJobs` naming `depends_on[i]`; `StoreUnavailableError` when the parents kept
 * changing.
 *
 * @example
 * ```ts ignore
 * const [child] = await insertLinked(store, [createJob({ id, task, input, dependsOn: [parentId] }, now)]);
 * ```
 */
export async function insertLinked(store: LinkedWriter, jobs: Job[]): Promise<Job[]> {
  const now = Math.max(...jobs.map((job) => job.createdAt));
  const ids = outsideParents(jobs);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const read = await store.jobGetMany(ids);
    const stored = new Map(read.flatMap((job) => job ? [[job.id, job] as const] : []));
    const linked = linkNewJobs(jobs, stored, now);
    if (await store.recordCommit({ jobs: linked.jobs, updates: linked.parents })) {
      return linked.jobs;
    }
  }
  throw new StoreUnavailableError("the parents of the new jobs kept changing; try again");
}

/**
 * Writes `update` (a job settling, with dependants) with the changes of its dependants, and
 * theirs when canceled, in one commit. False when the job itself is no longer at
 * `before.version` (nothing written); a dependant that changed meanwhile is read again.
 *
 * @example
 * ```ts ignore
 * const written = await settleWithDependants(store, { before, after: finishJob(before, now) });
 * ```
 */
export async function settleWithDependants(
  store: LinkedWriter,
  update: JobUpdate,
): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const changes = await dependantChanges([update.after], (ids) => store.jobGetMany(ids));
    if (await store.recordCommit({ updates: [update, ...changes] })) return true;
    const [current] = await store.jobGetMany([update.before.id]);
    if (current?.version !== update.before.version) return false;
  }
  throw new StoreUnavailableError(`the dependants of job ${update.before.id} kept changing`);
}
