/**
 * What an operator does to existing jobs, one or many: retry, cancel, delete, run now. The
 * API's single-job routes, `POST /jobs/actions`, the dashboard's forms and `tq jobs` all go
 * through {@linkcode applyJobAction}, so one job and five hundred change the same way: a
 * pure transition written only if the job did not change meanwhile (`job_changes.ts`).
 *
 * @example
 * ```ts ignore
 * import { applyJobActionMany } from "./job_actions.ts";
 * const outcomes = await applyJobActionMany(store, ids, "retry", {
 *   now: Date.now(),
 *   ttlMs: 7 * 86_400_000,
 *   cancelReason: "canceled by request",
 * });
 * ```
 * @module
 */
import {
  InvalidInputError,
  JobNotFoundError,
  LimitExceededError,
  StoreUnavailableError,
  TqError,
} from "./errors.ts";
import type { Job } from "./job.ts";
import { changeJob, deleteJob } from "./job_changes.ts";
import type { Store } from "./store/store.ts";
import { cancelJob, retryJob, runJobNow } from "./transitions/mod.ts";

/** The actions, by the name the API and the CLI take. */
export const JOB_ACTIONS = ["retry", "cancel", "delete", "run_now"] as const;

/** One of {@linkcode JOB_ACTIONS}. */
export type JobAction = typeof JOB_ACTIONS[number];

/** Most ids one `applyJobActionMany` call (one `POST /jobs/actions`) takes. */
export const MAX_ACTION_IDS = 500;

/** What every action needs to know. */
export interface JobActionOptions {
  /** The time of the change (epoch ms). */
  now: number;
  /** How long a job canceled here (or a dependant canceled with a deleted job) is kept. */
  ttlMs: number;
  /** Recorded as a canceled job's `cancelReason`. */
  cancelReason: string;
  /** Delete: cancel the jobs waiting for it in the same commit, rather than refuse. */
  cascade?: "cancel";
}

/** What an action left: the job as written (null once deleted), and who a cascade canceled. */
export interface JobActionResult {
  job: Job | null;
  /** Ids of the dependants a `cascade: "cancel"` delete canceled. */
  canceled: string[];
}

/**
 * Applies `action` to job `id`. Throws what the single-job routes answer with:
 * `JobNotFoundError`, `InvalidStateError` (naming the state), `DependantsWaitingError`,
 * `StoreUnavailableError` when the job kept changing.
 *
 * @example
 * ```ts ignore
 * const { job } = await applyJobAction(store, id, "run_now", options);
 * ```
 */
export async function applyJobAction(
  store: Store,
  id: string,
  action: JobAction,
  { now, ttlMs, cancelReason, cascade }: JobActionOptions,
): Promise<JobActionResult> {
  switch (action) {
    case "retry":
      return { job: await changeJob(store, id, (job) => retryJob(job, { now })), canceled: [] };
    case "cancel": {
      const job = await changeJob(
        store,
        id,
        (job) => cancelJob(job, { now, reason: cancelReason, ttlMs }),
      );
      return { job, canceled: [] };
    }
    case "run_now":
      return { job: await changeJob(store, id, (job) => runJobNow(job, { now })), canceled: [] };
    case "delete":
      return { job: null, canceled: await deleteJob(store, id, { cascade, now, ttlMs }) };
  }
}

/** The outcomes of {@linkcode applyJobActionMany}, by the name the API answers. */
export const OUTCOMES = ["done", "not_found", "refused", "failed"] as const;

/**
 * What became of one id of many: `done`; `not_found`; `refused` (its state does not allow
 * the action, or jobs wait for it), or `failed` (the store was unavailable or the job kept
 * changing: try again). Refusals carry the error a single-job request would have answered.
 */
export type JobActionOutcome =
  | ({ id: string; outcome: "done" } & JobActionResult)
  | { id: string; outcome: Exclude<typeof OUTCOMES[number], "done">; error: TqError };

function outcomeOf(id: string, error: unknown): JobActionOutcome {
  if (error instanceof JobNotFoundError) return { id, outcome: "not_found", error };
  if (error instanceof StoreUnavailableError) return { id, outcome: "failed", error };
  if (error instanceof TqError) return { id, outcome: "refused", error };
  throw error;
}

/**
 * Refuses an empty list (`InvalidInputError` naming `ids`), more than
 * {@linkcode MAX_ACTION_IDS} (`LimitExceededError`, limit `bulk_ids`), or an id twice
 * (naming `ids.<i>`): each would be a guess at what the caller meant.
 *
 * @example
 * ```ts
 * import { checkActionIds } from "./job_actions.ts";
 * let refused = false;
 * try {
 *   checkActionIds(["01K", "01K"]);
 * } catch {
 *   refused = true;
 * }
 * console.assert(refused);
 * ```
 */
export function checkActionIds(ids: string[]): void {
  if (ids.length === 0) throw new InvalidInputError([{ path: "ids", message: "no job selected" }]);
  if (ids.length > MAX_ACTION_IDS) {
    throw new LimitExceededError(
      "bulk_ids",
      MAX_ACTION_IDS,
      `ids holds ${ids.length} ids; the limit is ${MAX_ACTION_IDS}`,
      { field: "ids" },
    );
  }
  const first = new Map<string, number>();
  ids.forEach((id, i) => {
    if (!first.has(id)) first.set(id, i);
    else {
      throw new InvalidInputError([{ path: `ids.${i}`, message: `repeats ids.${first.get(id)}` }]);
    }
  });
}

/**
 * Applies `action` to each of `ids` (checked by {@linkcode checkActionIds}), one after the
 * other, and answers each id's outcome in order.
 * One id's refusal does not stop the others; an unexpected error does.
 *
 * @example
 * ```ts ignore
 * const outcomes = await applyJobActionMany(store, ["01J…", "01K…"], "cancel", options);
 * const refused = outcomes.filter((o) => o.outcome === "refused");
 * ```
 */
export async function applyJobActionMany(
  store: Store,
  ids: string[],
  action: JobAction,
  options: JobActionOptions,
): Promise<JobActionOutcome[]> {
  checkActionIds(ids);
  const outcomes: JobActionOutcome[] = [];
  for (const id of ids) {
    try {
      outcomes.push({ id, outcome: "done", ...await applyJobAction(store, id, action, options) });
    } catch (error) {
      outcomes.push(outcomeOf(id, error));
    }
  }
  return outcomes;
}

/**
 * How many of `outcomes` ended each way.
 *
 * @example
 * ```ts
 * import { countOutcomes } from "./job_actions.ts";
 * const counts = countOutcomes([{ id: "a", outcome: "done", job: null, canceled: [] }]);
 * console.assert(counts.done === 1 && counts.refused === 0);
 * ```
 */
export function countOutcomes(
  outcomes: JobActionOutcome[],
): Record<typeof OUTCOMES[number], number> {
  const counts = { done: 0, not_found: 0, refused: 0, failed: 0 };
  for (const { outcome } of outcomes) counts[outcome]++;
  return counts;
}
