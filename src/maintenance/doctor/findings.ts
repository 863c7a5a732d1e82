/**
 * What `tq doctor` finds, as pure rules over records (like `src/transitions/`): each rule
 * looks at a job (or a batch) and what it depends on, and answers what is wrong and the
 * change that puts it right, or null. The store-level kinds (an index entry without its
 * record, a record missing from its indexes) come from the store's own `indexAudit`.
 *
 * | kind | what can never make progress | repair |
 * | --- | --- | --- |
 * | `parent_gone` | a deferred job whose parent was deleted, or ended without settling it | cancel it (`parent <id> gone`), or release it if its parents finished |
 * | `group_head_gone` | a deferred job of an ordered group whose predecessor is gone | release it (queued) |
 * | `parent_unlinked` | a deferred job whose waiting parent does not list it among its dependants | list it there again |
 * | `stale_lease` | a started job whose worker was not seen for longer than the lease | fail the attempt as the rescuer does (retried or failed) |
 * | `batch_counts` | an open batch whose counts disagree with its jobs | set the counts from the jobs |
 * | `queue_counts` | a queue whose counts per state disagree with its jobs (`/queues`, metrics) | set the counts from the jobs |
 * | `entry_without_record`, `entry_disagrees`, `record_unindexed` | see `src/store/audit.ts` | drop the entry, or re-index the record |
 *
 * @example
 * ```ts
 * import { createJob } from "../../transitions/mod.ts";
 * import { stuckDependant } from "./findings.ts";
 * const child = { ...createJob({ id: "c", task: "t", input: 1, dependsOn: ["p"] }, 0), state: "deferred" as const, pendingParents: 1 };
 * const stuck = stuckDependant(child, new Map([["p", null]]), { now: 5, ttlMs: 10 });
 * console.assert(stuck?.kind === "parent_gone" && stuck.fix.state === "canceled");
 * ```
 * @module
 */
import { isTerminal, type Job } from "../../job.ts";
import { type BatchCounts, emptyBatchCounts } from "../../store/batches.ts";
import type { IndexProblemKind } from "../../store/audit.ts";
import { cancelJob, waitForParents } from "../../transitions/mod.ts";
import { abandonedAttempt } from "../rescuer.ts";

/** Every kind of finding. */
export type FindingKind =
  | "parent_gone"
  | "group_head_gone"
  | "parent_unlinked"
  | "stale_lease"
  | "batch_counts"
  | "queue_counts"
  | IndexProblemKind;

/** A job that can never make progress, and the change that repairs it. */
export interface JobFinding {
  kind: "parent_gone" | "group_head_gone" | "parent_unlinked" | "stale_lease";
  /** The record the repair changes (for `parent_unlinked`, the parent). */
  job: Job;
  /** What is wrong, for people. */
  message: string;
  /** What `--repair` does, for people. */
  repair: string;
  /** The record after the repair (written only if `job` is still current). */
  fix: Job;
}

/** The ids a deferred job waits for: its parents, and its group predecessor. */
function awaited(job: Job): string[] {
  return [...job.dependsOn ?? [], ...job.groupAfter ? [job.groupAfter] : []];
}

/** Whether `parent` will still settle `child`: it has not ended and lists it. */
function holds(parent: Job | null | undefined, child: Job): boolean {
  return !!parent && !isTerminal(parent.state) && !!parent.dependants?.includes(child.id);
}

/**
 * A deferred job that waits for more parents than will ever settle it: some were deleted,
 * or ended without settling it. `parents` holds the records read (null: gone). A parent
 * of `depends_on` gone or lost cancels it; otherwise (its group predecessor gone, a parent
 * that finished) it is released.
 *
 * @example
 * ```ts
 * import { createJob } from "../../transitions/mod.ts";
 * import { stuckDependant } from "./findings.ts";
 * const next = { ...createJob({ id: "b", task: "t", input: 1, group: "g" }, 0), state: "deferred" as const, groupAfter: "a", pendingParents: 1 };
 * console.assert(stuckDependant(next, new Map([["a", null]]), { now: 5, ttlMs: 10 })?.fix.state === "queued");
 * ```
 */
export function stuckDependant(
  job: Job,
  parents: Map<string, Job | null>,
  { now, ttlMs }: { now: number; ttlMs: number },
): JobFinding | null {
  if (job.state !== "deferred") return null;
  const ids = awaited(job);
  const holding = ids.filter((id) => holds(parents.get(id), job)).length;
  if (holding >= (job.pendingParents ?? 1)) return null;
  const lost = (job.dependsOn ?? []).find((id) => {
    const parent = parents.get(id);
    return !parent || parent.state === "failed" || parent.state === "canceled";
  });
  if (lost !== undefined) {
    const parent = parents.get(lost);
    const what = parent ? `${parent.state} without canceling it` : "gone";
    const reason = `parent ${lost} ${parent ? parent.state : "gone"}`;
    return {
      kind: "parent_gone",
      job,
      message: `deferred job ${job.id} waits for parent ${lost}, which is ${what}`,
      repair: `cancel it (cancel_reason: "${reason}") and its own dependants`,
      fix: cancelJob(job, { now, reason, ttlMs }),
    };
  }
  // A parent still waiting that does not list it would never settle it: link it again
  // (releasing the job would run it before that parent ended).
  const unlinked = ids.map((id) => parents.get(id)).find((parent) =>
    parent && !isTerminal(parent.state) && !parent.dependants?.includes(job.id)
  );
  if (unlinked) {
    return {
      kind: "parent_unlinked",
      job: unlinked,
      message: `deferred job ${job.id} waits for ${unlinked.id}, which does not list it among ` +
        `its dependants`,
      repair: `add ${job.id} to the dependants of ${unlinked.id}`,
      fix: {
        ...unlinked,
        dependants: [...unlinked.dependants ?? [], job.id],
        version: unlinked.version + 1,
      },
    };
  }
  const head = job.groupAfter !== undefined && !holds(parents.get(job.groupAfter), job);
  const missing = ids.filter((id) => !holds(parents.get(id), job));
  return {
    kind: head ? "group_head_gone" : "parent_gone",
    job,
    message: head
      ? `job ${job.id} of ${
        job.group !== undefined ? `group "${job.group}"` : `concurrency key "${job.concurrencyKey}"`
      } waits for ${job.groupAfter}, which is ${parents.get(job.groupAfter!) ? "ended" : "gone"}`
      : `deferred job ${job.id} waits for parents that finished: ${missing.join(", ")}`,
    repair: holding > 0 ? `count it as waiting for ${holding} parent(s)` : "release it (queued)",
    fix: waitForParents(job, { pending: holding, now }),
  };
}

/**
 * A started job whose worker is not among `liveWorkers` and whose lease ran out at least
 * `graceMs` ago: the rescuer should have taken it (it is not running, or the lease's index
 * entry is missing). Repaired as the rescuer does: the attempt fails, to be retried.
 *
 * @example
 * ```ts
 * import { claimJob, createJob } from "../../transitions/mod.ts";
 * import { staleLease } from "./findings.ts";
 * const job = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), { workerId: "w", now: 0, leaseMs: 10 });
 * console.assert(staleLease(job, new Set(), { now: 100, graceMs: 50, ttlMs: 1 })?.kind === "stale_lease");
 * ```
 */
export function staleLease(
  job: Job,
  liveWorkers: Set<string>,
  { now, graceMs, ttlMs }: { now: number; graceMs: number; ttlMs: number },
): JobFinding | null {
  if (job.state !== "started" || (job.workerId && liveWorkers.has(job.workerId))) return null;
  const expires = job.leaseExpiresAt ?? 0;
  if (now - expires < graceMs) return null;
  return {
    kind: "stale_lease",
    job,
    message: `started job ${job.id} is leased to worker ${
      job.workerId ?? "(none)"
    }, not seen since; its lease ran out at ${new Date(expires).toISOString()}`,
    repair: "fail the attempt as the rescuer does (LeaseExpiredError; retried if attempts remain)",
    fix: abandonedAttempt(job, now, ttlMs),
  };
}

/**
 * The counts an open batch should have, from `jobs` (every live job with its id):
 * each waiting or running state exactly as counted; ended states at least as many as are
 * still kept (pruned jobs stay counted). Null when `counts` already agree.
 *
 * @example
 * ```ts
 * import { emptyBatchCounts } from "../../store/batches.ts";
 * import { batchCountsWanted } from "./findings.ts";
 * const counts = { ...emptyBatchCounts(), started: 1 };
 * console.assert(batchCountsWanted(counts, [])?.started === 0);
 * ```
 */
export function batchCountsWanted(counts: BatchCounts, jobs: Job[]): BatchCounts | null {
  const actual = emptyBatchCounts();
  for (const job of jobs) actual[job.state]++;
  const wanted = emptyBatchCounts();
  for (const state of Object.keys(wanted) as (keyof BatchCounts)[]) {
    wanted[state] = isTerminal(state) ? Math.max(counts[state], actual[state]) : actual[state];
  }
  const same = Object.keys(wanted).every((s) =>
    wanted[s as keyof BatchCounts] === counts[s as keyof BatchCounts]
  );
  return same ? null : wanted;
}

/**
 * The counts per state a queue should have: exactly its jobs' (`tally`, counted by a scan).
 * Null when `counts` already agree.
 *
 * @example
 * ```ts
 * import { emptyBatchCounts } from "../../store/batches.ts";
 * import { queueCountsWanted } from "./findings.ts";
 * console.assert(queueCountsWanted({ ...emptyBatchCounts(), queued: 1 }, emptyBatchCounts())?.queued === 0);
 * ```
 */
export function queueCountsWanted(counts: BatchCounts, tally: BatchCounts): BatchCounts | null {
  const same = (Object.keys(tally) as (keyof BatchCounts)[]).every((s) => counts[s] === tally[s]);
  return same ? null : { ...tally };
}
