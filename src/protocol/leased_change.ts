/**
 * Changes protocol workers make to jobs they hold (heartbeat, complete, fail): check the
 * lease token still holds the job (`lease_token.ts`), compute the change with a
 * transition from `src/transitions/`, and write it only if the record is still the one
 * read. A write lost to a concurrent change (a cancel request, the worker's own heartbeat)
 * is decided again from the fresh record, so a token that stopped holding meanwhile is
 * refused and nothing is written.
 *
 * Workers send their changes one request per job, in bursts; a {@linkcode LeaseWriter}
 * gathers the changes that arrive within one macrotask and reads and writes them together
 * (one `jobGetMany`, one `jobUpdateMany`), as `tq worker`'s completer does with its own.
 *
 * @example
 * ```ts ignore
 * import { extendLease } from "../transitions/mod.ts";
 * const writer = new LeaseWriter(store);
 * const job = await writer.change({ id, token, now }, (job, claim) =>
 *   extendLease(job, { now, leaseMs: claim.leaseMs }));
 * ```
 * @module
 */
import { JobNotFoundError, LeaseLostError, StoreUnavailableError } from "../errors.ts";
import { isJobId } from "../ids.ts";
import type { Job } from "../job.ts";
import type { Store } from "../store/store.ts";
import { type LeaseClaim, parseLeaseToken, tokenHolds } from "./lease_token.ts";

/** Rounds a contended change is decided again before giving up with a 503. */
const ATTEMPTS = 5;

/** Most changes in one write. */
export const LEASE_WRITE_BATCH = 100;

/** Which job, under which token, at what time. */
export interface LeasedChangeParams {
  id: string;
  token: string;
  now: number;
}

/** Computes the job's new record from the one the token holds. */
export type LeasedTransition = (job: Job, claim: LeaseClaim) => Job;

/**
 * Throws unless `token` holds the lease of `job` (read for `id`) at `now`: `LeaseLostError`
 * (409) for a job gone, ended, taken over or whose lease ran out.
 *
 * @example
 * ```ts ignore
 * const claim = checkLease(params, await store.jobGet(params.id));
 * ```
 */
export function checkLease(
  { id, token, now }: LeasedChangeParams,
  job: Job | null,
): { job: Job; claim: LeaseClaim } {
  const claim = parseLeaseToken(token);
  if (!claim || !isJobId(id)) throw new JobNotFoundError(id);
  if (!job) throw new LeaseLostError(id, null, "the job was deleted");
  if (!tokenHolds(claim, job)) throw new LeaseLostError(id, job.state, lostReason(job, claim));
  if (job.leaseExpiresAt !== undefined && job.leaseExpiresAt < now) {
    throw new LeaseLostError(id, job.state, "the lease expired; the job will be rescued");
  }
  return { job, claim };
}

/**
 * The job, if `token` still holds its lease at `now` (see {@linkcode checkLease}).
 *
 * @example
 * ```ts ignore
 * const { job, claim } = await readLeased(store, { id, token, now: Date.now() });
 * ```
 */
export async function readLeased(
  store: Store,
  params: LeasedChangeParams,
): Promise<{ job: Job; claim: LeaseClaim }> {
  // A malformed id or token is refused without asking the store.
  if (!isJobId(params.id) || !parseLeaseToken(params.token)) throw new JobNotFoundError(params.id);
  return checkLease(params, await store.jobGet(params.id));
}

function lostReason(job: Job, claim: LeaseClaim): string {
  if (job.state !== "started") return `the job is ${job.state}`;
  if (job.workerId !== claim.workerId) return `the job runs on ${job.workerId} now`;
  return `the job runs again (attempt ${job.attempts})`;
}

interface Pending {
  params: LeasedChangeParams;
  transition: LeasedTransition;
  rounds: number;
  resolve(job: Job): void;
  reject(error: unknown): void;
}

/**
 * Group commit of protocol workers' changes.
 *
 * @example
 * ```ts ignore
 * const writer = new LeaseWriter(store);
 * const done = await writer.change(params, (job) => finishJob(job, { now, result, ttlMs }));
 * ```
 */
export class LeaseWriter {
  readonly #store: Store;
  #pending: Pending[] = [];
  #flushing = false;

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Applies `transition` to the job the token holds and writes it; answers the record
   * written. Rejects with `LeaseLostError` (nothing written) when the token does not hold,
   * with what `transition` throws, or with the store's error.
   */
  change(params: LeasedChangeParams, transition: LeasedTransition): Promise<Job> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ params, transition, rounds: 0, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        setTimeout(() => this.#flush(), 0);
      }
    });
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        // One change per job per round: a second one waits for the first's record.
        const seen = new Set<string>();
        const round: Pending[] = [];
        const later: Pending[] = [];
        for (const item of this.#pending) {
          const fits = round.length < LEASE_WRITE_BATCH && !seen.has(item.params.id);
          (fits ? round : later).push(item);
          seen.add(item.params.id);
        }
        this.#pending = later;
        const retry = await this.#write(round);
        this.#pending.unshift(...retry);
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** Writes one round; answers the changes to decide again (lost to a concurrent write). */
  async #write(round: Pending[]): Promise<Pending[]> {
    const valid: Pending[] = [];
    for (const item of round) {
      if (isJobId(item.params.id)) valid.push(item);
      else item.reject(new JobNotFoundError(item.params.id));
    }
    let records: (Job | null)[];
    try {
      records = await this.#store.jobGetMany(valid.map((item) => item.params.id));
    } catch (error) {
      valid.forEach((item) => item.reject(error));
      return [];
    }
    const writes: { item: Pending; before: Job; after: Job }[] = [];
    valid.forEach((item, i) => {
      try {
        const { job, claim } = checkLease(item.params, records[i]);
        writes.push({ item, before: job, after: item.transition(job, claim) });
      } catch (error) {
        item.reject(error);
      }
    });
    if (writes.length === 0) return [];
    let conflicted: Set<string>;
    try {
      const updates = writes.map(({ before, after }) => ({ before, after }));
      conflicted = new Set((await this.#store.jobUpdateMany({ updates })).conflicted);
    } catch (error) {
      writes.forEach(({ item }) => item.reject(error));
      return [];
    }
    const retry: Pending[] = [];
    for (const { item, after } of writes) {
      if (!conflicted.has(after.id)) item.resolve(after);
      else if (++item.rounds < ATTEMPTS) retry.push(item);
      else {
        item.reject(
          new StoreUnavailableError(
            `job "${after.id}" kept changing during the request; try again`,
          ),
        );
      }
    }
    return retry;
  }
}
