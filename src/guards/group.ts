/**
 * Ordered groups: jobs enqueued with the same `group` key run one at a time, in enqueue
 * order, across every worker. Each new member is chained behind the group's newest job
 * (its "tail", which the store keeps per group): while that job has not ended, the new one
 * waits `deferred` with `groupAfter` naming it, and is one of its `dependants`. The commit
 * that ends the predecessor (finished, failed for good, or canceled) queues the next one,
 * exactly as dependencies do (`src/flows/`). A job waiting for its retry backoff has not
 * ended, so it keeps its group blocked. Claims never look at groups: ungrouped jobs pay
 * nothing, and only the head of a group is ever in the ready index.
 *
 * @example
 * ```ts
 * import { linkGroups } from "./group.ts";
 * import { createJob } from "../transitions.ts";
 * const [a, b] = ["a", "b"].map((id) => createJob({ id, task: "t", input: 1, group: "g" }, 0));
 * const { jobs } = linkGroups([a, b], new Map());
 * console.assert(jobs[0].state === "queued" && jobs[1].groupAfter === "a");
 * ```
 * @module
 */
import type { FieldIssue } from "../errors.ts";
import { isTerminal, type Job } from "../job.ts";

/** The longest group key, in characters. */
export const MAX_GROUP_CHARS = 200;

/**
 * How long a group remembers its newest job after the last enqueue into it. A chain still
 * waiting after that long loses its order with jobs enqueued later (documented).
 */
export const GROUP_TTL_MS = 30 * 86_400_000;

/**
 * What is wrong with a request's `group`, by the API's field names.
 *
 * @example
 * ```ts
 * import { groupIssues } from "./group.ts";
 * console.assert(groupIssues({ group: "" })[0].path === "group");
 * console.assert(groupIssues({ group: "user:42" }).length === 0);
 * ```
 */
export function groupIssues(
  { group, dependsOn, idempotencyKey }: {
    group?: unknown;
    dependsOn?: unknown;
    idempotencyKey?: unknown;
  },
): FieldIssue[] {
  if (group === undefined) return [];
  if (typeof group !== "string" || group.length === 0 || group.length > MAX_GROUP_CHARS) {
    return [{ path: "group", message: `must be 1-${MAX_GROUP_CHARS} characters` }];
  }
  if (dependsOn !== undefined) {
    return [{ path: "group", message: "not taken together with depends_on" }];
  }
  if (idempotencyKey !== undefined) {
    return [{ path: "group", message: "not taken together with idempotency_key" }];
  }
  return [];
}

/** New jobs chained into their groups, and the stored tails that gain a successor. */
export interface GroupLinks {
  /** The new jobs, in order: the head of an idle group as created, the others deferred. */
  jobs: Job[];
  /** Stored jobs still waiting or running that each gain a successor. */
  predecessors: { before: Job; after: Job }[];
  /** Every group's newest job after the insert: the store records these. */
  tails: Map<string, string>;
}

/**
 * Chains `jobs` (some with `group`) behind their groups' newest stored jobs (`tails`: the
 * job the store names for each group, null when it names none or that job is gone).
 *
 * @example
 * ```ts
 * import { linkGroups } from "./group.ts";
 * import { createJob } from "../transitions.ts";
 * const tail = createJob({ id: "a", task: "t", input: 1, group: "g" }, 0);
 * const next = createJob({ id: "b", task: "t", input: 1, group: "g" }, 1);
 * const { jobs, predecessors } = linkGroups([next], new Map([["g", tail]]));
 * console.assert(jobs[0].state === "deferred" && predecessors[0].after.dependants?.[0] === "b");
 * ```
 */
export function linkGroups(jobs: Job[], tails: Map<string, Job | null>): GroupLinks {
  const latest = new Map<string, Job | null>(tails);
  const fresh = new Map<string, Job>();
  const changed = new Map<string, Job>();
  for (const job of jobs) {
    fresh.set(job.id, job);
    if (job.group === undefined) continue;
    const previous = latest.get(job.group);
    latest.set(job.group, job);
    if (!previous || isTerminal(previous.state)) continue;
    const holder = fresh.has(previous.id) ? fresh : changed;
    const current = holder.get(previous.id) ?? previous;
    holder.set(previous.id, { ...current, dependants: [...current.dependants ?? [], job.id] });
    fresh.set(job.id, { ...job, state: "deferred", groupAfter: previous.id, pendingParents: 1 });
  }
  const predecessors = [...changed.values()].map((after) => {
    const before = tails.get(after.group!)!;
    return { before, after: { ...after, version: before.version + 1 } };
  });
  const groupTails = new Map<string, string>();
  for (const [group, job] of latest) if (job && fresh.has(job.id)) groupTails.set(group, job.id);
  return { jobs: jobs.map((job) => fresh.get(job.id)!), predecessors, tails: groupTails };
}
