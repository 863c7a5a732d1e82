/**
 * Capped claims on the KV file (`JobClaimParams.caps`): the best ready jobs, each taken while
 * its task's and its queue's caps allow (`../claim_caps.ts`). Jobs past a cap stay in the
 * ready index, untouched; the claim looks past them (up to {@linkcode SCAN_ROUNDS} lists of
 * {@linkcode SCAN_KEYS} per queue) so other tasks of the queue keep flowing. The store's
 * commit checks the versionstamps of the jobs taken, so no job goes to two claimants. Only
 * claims with caps come here; every other claim takes the store's plain path.
 *
 * @example
 * ```ts ignore
 * const jobs = await claimCapped(kv, commit, { ...params, caps: { tasks: { send: 2 } } });
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import { claimJob } from "../../transitions/mod.ts";
import { CapsLeft } from "../claim_caps.ts";
import type { ClaimCaps, JobClaimParams } from "../store.ts";
import { getRecords, listKeys, type StoredJob } from "./reads.ts";

/** Ready keys read per list. */
const SCAN_KEYS = 50;
/** Lists per queue and claim: how far past held-back jobs a claim looks. */
const SCAN_ROUNDS = 6;
/** Jobs per commit, as the plain claim. */
const JOBS_PER_COMMIT = 50;

/** A queued job as read, and the record a claim makes of it. */
export interface ClaimPair {
  record: StoredJob;
  after: Job;
}

/** Writes claim pairs, each only if its job is still as read; answers which lost a race. */
export type CommitPairs = (pairs: ClaimPair[]) => Promise<{ applied: Job[]; raced: ClaimPair[] }>;

/**
 * `jobClaim` with `caps`, for `params.queues` in order (a later queue only for what the
 * earlier ones lacked), writing with `commit` (the store's, which splits what is too large).
 *
 * @example
 * ```ts ignore
 * const jobs = await claimCapped(kv, commit, { queues: ["mail"], workerId, limit: 10, leaseMs, now, caps });
 * ```
 */
export async function claimCapped(
  kv: Deno.Kv,
  commit: CommitPairs,
  params: JobClaimParams & { caps: ClaimCaps },
): Promise<Job[]> {
  const { workerId, now, leaseMs } = params;
  const claimed: Job[] = [];
  const left = new CapsLeft(params.caps);
  for (const queue of params.queues) {
    let start: Deno.KvKey | undefined;
    for (let round = 0; round < SCAN_ROUNDS && claimed.length < params.limit; round++) {
      if (left.queueFull(queue)) break;
      const prefix = ["ready", queue];
      const listed = (await listKeys(kv, start ? { prefix, start } : { prefix }, SCAN_KEYS + 1))
        .filter((key) => !start || JSON.stringify(key) !== JSON.stringify(start));
      if (listed.length === 0) break;
      const want = Math.min(params.limit - claimed.length, JOBS_PER_COMMIT);
      const records = (await getRecords(kv, listed.map((key) => key.at(-1) as string)))
        .filter((r): r is StoredJob => r?.job.state === "queued");
      // Caps are counted on a copy: only what is written counts against them.
      const trial = new CapsLeft(left.remaining());
      const pairs: ClaimPair[] = [];
      let passedOver = false;
      for (const record of records) {
        if (pairs.length >= want) break;
        if (!trial.take(record.job)) passedOver = true;
        else pairs.push({ record, after: claimJob(record.job, { workerId, now, leaseMs }) });
      }
      const { applied, raced } = await commit(pairs);
      for (const job of applied) left.take(job);
      claimed.push(...applied);
      if (raced.length > 0) continue; // look at the same jobs again
      // Jobs passed over stay ready: the next list starts after what this one looked at.
      if (passedOver) start = listed.at(-1);
      else if (listed.length <= SCAN_KEYS) break;
    }
  }
  return claimed;
}
