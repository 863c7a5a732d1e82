/**
 * Linking new jobs to the jobs they depend on, as a pure function the stores run inside
 * their insert: parents already finished count as done, a parent that failed or was
 * canceled cancels the new job at once, and every parent still pending records the new
 * job among its `dependants` (so its own settling promotes or cancels it).
 *
 * @example
 * ```ts
 * import { createJob } from "../transitions/mod.ts";
 * import { linkNewJobs } from "./links.ts";
 * const parent = createJob({ id: "p", task: "t", input: 1 }, 0);
 * const child = createJob({ id: "c", task: "t", input: 1, dependsOn: ["p"] }, 0);
 * const { jobs } = linkNewJobs([parent, child], new Map(), 0);
 * console.assert(jobs[0].dependants?.[0] === "c" && jobs[1].state === "deferred");
 * ```
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import { isTerminal, type Job } from "../job.ts";
import { MAX_DEPENDANTS } from "./cascade.ts";
import { parentSettled } from "../transitions/mod.ts";

/** The ids of the parents of `jobs` that are not among them: the store reads those. */
export function outsideParents(jobs: Job[]): string[] {
  const inside = new Set(jobs.map((job) => job.id));
  const ids = jobs.flatMap((job) => job.dependsOn ?? []).filter((id) => !inside.has(id));
  return [...new Set(ids)];
}

/**
 * New jobs resolved against their parents, and the changes to stored parents (each gains
 * dependants). `stored` holds the parents read from the store; one missing is a 422
 * naming `depends_on[i]`. A parent inside `jobs` must come before its children.
 */
export function linkNewJobs(
  jobs: Job[],
  stored: Map<string, Job>,
  now: number,
): { jobs: Job[]; parents: { before: Job; after: Job }[] } {
  const fresh = new Map<string, Job>();
  const changed = new Map<string, Job>();
  const adopt = (parent: Job, child: Job, path: string): Job => {
    if ((parent.dependants?.length ?? 0) >= MAX_DEPENDANTS) {
      const message = `job ${parent.id} already has ${MAX_DEPENDANTS} dependants, the most`;
      throw new InvalidInputError([{ path, message }]);
    }
    return { ...parent, dependants: [...parent.dependants ?? [], child.id] };
  };
  for (const job of jobs) {
    let child = job;
    (job.dependsOn ?? []).forEach((id, i) => {
      const path = `depends_on[${i}]`;
      const sibling = fresh.get(id);
      if (sibling) {
        if (isTerminal(sibling.state)) child = parentSettled(child, sibling, now);
        else fresh.set(id, adopt(sibling, child, path));
        return;
      }
      if (jobs.some((other) => other.id === id)) {
        throw new RangeError(`job ${job.id}: parent ${id} must come before it in the batch`);
      }
      const parent = changed.get(id) ?? stored.get(id);
      if (!parent) throw new InvalidInputError([{ path, message: `no job with id "${id}"` }]);
      if (isTerminal(parent.state)) child = parentSettled(child, parent, now);
      else changed.set(id, adopt(parent, child, path));
    });
    fresh.set(job.id, { ...child, version: 1 });
  }
  const parents = [...changed.values()].map((after) => {
    const before = stored.get(after.id)!;
    return { before, after: { ...after, version: before.version + 1 } };
  });
  return { jobs: jobs.map((job) => fresh.get(job.id)!), parents };
}
