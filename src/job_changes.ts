/**
 * Changes the API and the CLI make to existing jobs (retry, cancel, delete). Each reads the job,
 * computes the change with a pure transition and writes it only if nobody changed the job
 * meanwhile; on a race (a worker claimed or finished it) it reads again and decides anew,
 * so the answer always reflects the state the change was really made from.
 *
 * @example
 * ```ts ignore
 * import { retryJob } from "./transitions/mod.ts";
 * import { changeJob } from "./job_changes.ts";
 * const queued = await changeJob(store, id, (job) => retryJob(job, { now: Date.now() }));
 * ```
 * @module
 */
import {
  DependantsWaitingError,
  JobNotFoundError,
  StoreUnavailableError,
  TqError,
} from "./errors.ts";
import { deletionChanges, NAMED_DEPENDANTS, waitingDependants } from "./flows/deletion.ts";
import { isJobId } from "./ids.ts";
import type { Job } from "./job.ts";
import type { Store } from "./store/store.ts";
import { jobLogDelete } from "./job_log/job_log.ts";

/** Reads and retries a contended change this many times before giving up with a 503. */
const ATTEMPTS = 5;

/**
 * The job of that id; `JobNotFoundError` when there is none or the id is malformed (the
 * store is never asked about ids that cannot exist).
 *
 * @example
 * ```ts ignore
 * const job = await readJob(store, "01JD0000000000000000000000");
 * ```
 */
export async function readJob(store: Store, id: string): Promise<Job> {
  const job = isJobId(id) ? await store.jobGet(id) : null;
  if (!job) throw new JobNotFoundError(id);
  return job;
}

function contended(id: string): StoreUnavailableError {
  return new StoreUnavailableError(`job "${id}" kept changing during the request; try again`);
}

/**
 * Applies `change` (a transition, which throws `InvalidStateError` when it does not apply)
 * to the current record and writes it. Answers the record as written.
 *
 * @example
 * ```ts ignore
 * import { cancelJob } from "./transitions/mod.ts";
 * const job = await changeJob(store, id, (j) => cancelJob(j, { now, reason, ttlMs }));
 * ```
 */
export async function changeJob(
  store: Store,
  id: string,
  change: (job: Job) => Job,
): Promise<Job> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const before = await readJob(store, id);
    const after = change(before);
    const { applied } = await store.jobUpdateMany({ updates: [{ before, after }] });
    if (applied.includes(id)) return after;
  }
  throw contended(id);
}

/** How a delete treats jobs that wait for the deleted one. */
export interface DeleteOptions {
  /** `cancel`: cancel them in the same commit. Without: refuse (`DependantsWaitingError`). */
  cascade?: "cancel";
  /** The time of the delete (epoch ms), for the canceled dependants. */
  now?: number;
  /** How long canceled dependants are kept. */
  ttlMs?: number;
}

/** How long dependants canceled by a delete are kept when the caller does not say: a week. */
const CANCELED_TTL_MS = 7 * 86_400_000;

/**
 * Deletes a job that is not running. A started job is refused (409): its worker would
 * otherwise settle a job that no longer exists; cancel it first. A job that others still
 * wait for (its `depends_on` children, the next job of its group) is refused with
 * `DependantsWaitingError` naming them, unless `cascade: "cancel"` cancels them with it
 * (`src/flows/deletion.ts`). Answers the ids of the jobs canceled with it.
 *
 * @example
 * ```ts ignore
 * await deleteJob(store, id);
 * const canceled = await deleteJob(store, id, { cascade: "cancel" });
 * ```
 */
export async function deleteJob(
  store: Store,
  id: string,
  options: DeleteOptions = {},
): Promise<string[]> {
  const read = (ids: string[]) => store.jobGetMany(ids);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const job = await readJob(store, id);
    if (job.state === "started") {
      throw new TqError(
        "invalid_state",
        `cannot delete job "${id}" while it is started: cancel it first`,
        { job_id: id, state: job.state },
      );
    }
    if (options.cascade !== "cancel") {
      const waiting = await waitingDependants(job, read);
      if (waiting.length > 0) {
        const named = waiting.slice(0, NAMED_DEPENDANTS).map((child) => child.id);
        throw new DependantsWaitingError(id, named, waiting.length);
      }
    }
    const now = options.now ?? Date.now();
    const changes = await deletionChanges(job, read, {
      now,
      ttlMs: options.ttlMs ?? CANCELED_TTL_MS,
    });
    const dependants = changes.length > 0 ? changes : undefined;
    if (await store.jobDelete({ job, dependants })) {
      await jobLogDelete(store, id);
      return changes.filter((c) => c.after.state === "canceled").map((c) => c.after.id);
    }
  }
  throw contended(id);
}
