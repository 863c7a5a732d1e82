/**
 * A change a protocol worker makes to a job it holds (heartbeat, complete, fail): read the
 * job, check the lease token still holds it (`lease_token.ts`), compute the change with a
 * transition from `src/transitions.ts`, and write it only if the record is still the one
 * read. A write lost to a concurrent change (a cancel request, the worker's own heartbeat)
 * is decided again from the fresh record, so a token that stopped holding meanwhile is
 * refused and nothing is written.
 *
 * @example
 * ```ts ignore
 * import { extendLease } from "../transitions.ts";
 * const job = await changeLeased(store, { id, token, now }, (job, claim) =>
 *   extendLease(job, { now, leaseMs: claim.leaseMs }));
 * ```
 * @module
 */
import { JobNotFoundError, LeaseLostError, StoreUnavailableError } from "../errors.ts";
import { isJobId } from "../ids.ts";
import type { Job } from "../job.ts";
import type { Store } from "../store/store.ts";
import { type LeaseClaim, parseLeaseToken, tokenHolds } from "./lease_token.ts";

/** Reads and retries a contended change this many times before giving up with a 503. */
const ATTEMPTS = 5;

/** Which job, under which token, at what time. */
export interface LeasedChangeParams {
  id: string;
  token: string;
  now: number;
}

/**
 * The job, if `token` still holds its lease at `now`; throws `LeaseLostError` (409) if
 * not, `JobNotFoundError` if the token is not one tq made for it or the job never existed.
 *
 * @example
 * ```ts ignore
 * const { job, claim } = await readLeased(store, { id, token, now: Date.now() });
 * ```
 */
export async function readLeased(
  store: Store,
  { id, token, now }: LeasedChangeParams,
): Promise<{ job: Job; claim: LeaseClaim }> {
  const claim = parseLeaseToken(token);
  if (!claim || !isJobId(id)) throw new JobNotFoundError(id);
  const job = await store.jobGet(id);
  if (!job) throw new LeaseLostError(id, null, "the job was deleted");
  if (!tokenHolds(claim, job)) throw new LeaseLostError(id, job.state, lostReason(job, claim));
  if (job.leaseExpiresAt !== undefined && job.leaseExpiresAt < now) {
    throw new LeaseLostError(id, job.state, "the lease expired; the job will be rescued");
  }
  return { job, claim };
}

function lostReason(job: Job, claim: LeaseClaim): string {
  if (job.state !== "started") return `the job is ${job.state}`;
  if (job.workerId !== claim.workerId) return `the job runs on ${job.workerId} now`;
  return `the job runs again (attempt ${job.attempts})`;
}

/**
 * Applies `change` to the job the token holds and writes it; answers the record written.
 *
 * @example
 * ```ts ignore
 * const done = await changeLeased(store, { id, token, now }, (job) =>
 *   finishJob(job, { now, result, ttlMs }));
 * ```
 */
export async function changeLeased(
  store: Store,
  params: LeasedChangeParams,
  change: (job: Job, claim: LeaseClaim) => Job,
): Promise<Job> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const { job, claim } = await readLeased(store, params);
    const after = change(job, claim);
    const { applied } = await store.jobUpdateMany({ updates: [{ before: job, after }] });
    if (applied.includes(params.id)) return after;
  }
  throw new StoreUnavailableError(`job "${params.id}" kept changing during the request; try again`);
}
