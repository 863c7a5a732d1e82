/**
 * Deleting a job that others wait for, as pure functions like `cascade.ts`. A job that has
 * not ended holds back its `deferred` dependants (children of `depends_on`, and the next
 * job of its ordered group): deleting it alone would leave them waiting forever. So a
 * delete either names them (the caller refuses it) or cancels them with it, in the same
 * commit: each child of the deleted job is canceled with `cancel_reason: "parent <id>
 * deleted"`, their own dependants as cancel does, and the next job of its group is released
 * (or, if the deleted job was still waiting in its lane, waits for the job before it).
 * A job that already ended settled its dependants when it ended: deleting it changes none.
 *
 * @example
 * ```ts ignore
 * const waiting = await waitingDependants(job, (ids) => store.jobGetMany(ids));
 * const changes = await deletionChanges(job, read, { now, ttlMs });
 * ```
 * @module
 */
import { isTerminal, type Job } from "../job.ts";
import { cancelJob } from "../transitions/mod.ts";
import { type DependantChange, dependantChanges } from "./cascade.ts";

/** How many waiting dependants a refusal names (the rest are counted). */
export const NAMED_DEPENDANTS = 20;

/**
 * The dependants still waiting for `job` (deferred, and `job` not ended), by record.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions/mod.ts";
 * import { waitingDependants } from "./deletion.ts";
 * const child = createJob({ id: "c", task: "t", input: 1, dependsOn: ["p"] }, 0);
 * const parent = { ...createJob({ id: "p", task: "t", input: 1 }, 0), dependants: ["c"] };
 * const waiting = await waitingDependants(parent, () => Promise.resolve([{ ...child, state: "deferred" as const }]));
 * console.assert(waiting[0].id === "c");
 * ```
 */
export async function waitingDependants(
  job: Job,
  read: (ids: string[]) => Promise<(Job | null)[]>,
): Promise<Job[]> {
  if (isTerminal(job.state) || !job.dependants?.length) return [];
  const records = await read(job.dependants);
  return records.filter((child): child is Job => child?.state === "deferred");
}

/**
 * What deleting `job` at `now` does to its dependants, transitively: every change to write
 * in the delete's commit. None for a job that already ended.
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions/mod.ts";
 * import { deletionChanges } from "./deletion.ts";
 * const child = { ...createJob({ id: "c", task: "t", input: 1, dependsOn: ["p"] }, 0), state: "deferred" as const };
 * const parent = { ...createJob({ id: "p", task: "t", input: 1 }, 0), dependants: ["c"] };
 * const [change] = await deletionChanges(parent, () => Promise.resolve([child]), { now: 5, ttlMs: 10 });
 * console.assert(change.after.cancelReason === "parent p deleted");
 * ```
 */
export async function deletionChanges(
  job: Job,
  read: (ids: string[]) => Promise<(Job | null)[]>,
  { now, ttlMs }: { now: number; ttlMs: number },
): Promise<DependantChange[]> {
  if (isTerminal(job.state) || !job.dependants?.length) return [];
  // Its dependants see it as canceled (which also releases the next job of its group)...
  const gone = cancelJob(job, { now, reason: "deleted", ttlMs, byWorker: true });
  const changes = await dependantChanges([gone], read);
  // ...but are told the truth about why.
  const canceledBy = `parent ${job.id} canceled`;
  return changes.map((change) =>
    change.after.cancelReason === canceledBy && change.before.cancelReason !== canceledBy
      ? { ...change, after: { ...change.after, cancelReason: `parent ${job.id} deleted` } }
      : change
  );
}
