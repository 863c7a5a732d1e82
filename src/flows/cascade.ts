/**
 * The dependants a settling job takes with it, transitively: every child it finishes the
 * wait of is promoted, every child of a failed or canceled job is canceled, and so are
 * theirs. Pure apart from `read`, so both stores compute the same changes and then write
 * them in one atomic commit with the parent's own change.
 *
 * @example
 * ```ts ignore
 * const changes = await dependantChanges([finishedParent], (ids) => store.jobGetMany(ids));
 * // write [{ before: parentBefore, after: finishedParent }, ...changes] atomically
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import { parentSettled } from "../transitions/mod.ts";
import { endedWaiting, laneHandOver } from "../guards/group.ts";

/** A job read (`before`) and what its parents' outcomes make of it (`after`). */
export interface DependantChange {
  before: Job;
  after: Job;
}

/** The most dependants one job may have, so a cascade always fits one store commit. */
export const MAX_DEPENDANTS = 50;

/**
 * The changes `settled` (jobs that just reached a terminal state) imply for their
 * dependants, and theirs in turn; `read` gives records by id (null when gone).
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions/mod.ts";
 * import { dependantChanges } from "./cascade.ts";
 * const child = createJob({ id: "c", task: "t", input: 1, dependsOn: ["p"] }, 0);
 * const parent = {
 *   ...createJob({ id: "p", task: "t", input: 1 }, 0),
 *   state: "finished" as const,
 *   endedAt: 3,
 *   dependants: ["c"],
 * };
 * const [change] = await dependantChanges([parent], () => Promise.resolve([child]));
 * console.assert(change.after.state === "queued");
 * ```
 */
export async function dependantChanges(
  settled: Job[],
  read: (ids: string[]) => Promise<(Job | null)[]>,
): Promise<DependantChange[]> {
  const settling = new Set(settled.map((job) => job.id));
  const changes = new Map<string, DependantChange>();
  let frontier = settled.filter((job) => job.dependants?.length);
  while (frontier.length > 0) {
    // A job that left its lane while waiting hands its successor to its predecessor.
    const predecessors = frontier.flatMap((job) => endedWaiting(job) ? [job.groupAfter!] : []);
    const ids = [...new Set([...frontier.flatMap((job) => job.dependants ?? []), ...predecessors])]
      .filter((id) => !changes.has(id) && !settling.has(id));
    const records = await read(ids);
    records.forEach((job) => job && changes.set(job.id, { before: job, after: job }));
    const next: Job[] = [];
    for (const parent of frontier) {
      for (const id of parent.dependants ?? []) {
        const change = changes.get(id);
        if (!change) continue; // deleted meanwhile, or settling in this very commit
        const before = changes.get(parent.groupAfter ?? "");
        const moved = laneHandOver(parent, change.after, before?.after ?? null);
        if (moved) {
          change.after = moved.successor;
          before!.after = moved.predecessor;
          continue;
        }
        const after = parentSettled(change.after, parent, parent.endedAt ?? parent.runAt);
        if (after === change.after) continue;
        change.after = after;
        if (after.state === "canceled") next.push(after);
      }
    }
    frontier = next.filter((job) => job.dependants?.length);
  }
  return [...changes.values()].filter((change) => change.after !== change.before);
}
