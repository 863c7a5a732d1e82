/**
 * Capped claims on the KV file (`Store.jobClaimCapped`): the best ready jobs, each taken
 * while its task's and its queue's caps allow (`../claim_caps.ts`). Jobs past a cap stay in
 * the ready index, untouched; the claim looks past them (up to {@linkcode SCAN_ROUNDS} lists
 * of {@linkcode SCAN_KEYS} per queue) so other tasks of the queue keep flowing, and tells
 * which caps held them back. A queue whose cap is used up is looked at no further than its
 * next queued job, to tell what held that one back. The store's commit checks the
 * versionstamps of the jobs taken, so no job goes to two claimants.
 *
 * @example
 * ```ts ignore
 * const { jobs, heldBack } = await claimCapped(kv, commit, { ...params, caps: { tasks: { send: 0 } } });
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import { claimJob } from "../../transitions/mod.ts";
import { CapsLeft } from "../claim_caps.ts";
import type { CappedClaim, CappedClaimParams } from "../store.ts";
import { getRecords, listKeys, type StoredJob } from "./reads.ts";

/** Ready keys read per list. */
const SCAN_KEYS = 50;
/** Lists per queue and claim: how far past held-back jobs a claim looks. */
const SCAN_ROUNDS = 6;
/** Ready keys read of a queue whose cap is used up: enough to pass a stale one. */
const PEEK_KEYS = 4;
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
 * `jobClaimCapped`, for `params.queues` in order (a later queue only for what the
 * earlier ones lacked), writing with `commit` (the store's, which splits what is too large).
 *
 * @example
 * ```ts ignore
 * const { jobs } = await claimCapped(kv, commit, { queues: ["mail"], workerId, limit: 10, leaseMs, now, caps });
 * ```
 */
export async function claimCapped(
  kv: Deno.Kv,
  commit: CommitPairs,
  params: CappedClaimParams,
): Promise<CappedClaim> {
  const { workerId, now, leaseMs } = params;
  const claimed: Job[] = [];
  const left = new CapsLeft(params.caps);
  for (const queue of params.queues) {
    const prefix = ["ready", queue];
    let start: Deno.KvKey | undefined; // the last key looked at
    for (let round = 0; round < SCAN_ROUNDS && claimed.length < params.limit; round++) {
      // A queue whose cap is used up is looked at only to tell what holds its next job back.
      const count = left.queueFull(queue) ? PEEK_KEYS : SCAN_KEYS;
      const listed = await listAfter(kv, prefix, start, count + 1);
      if (listed.length === 0) break;
      const want = Math.min(params.limit - claimed.length, JOBS_PER_COMMIT);
      const records = await getRecords(kv, listed.map((key) => key.at(-1) as string));
      // Caps are counted on a copy: only what is written counts against them.
      const trial = left.trial();
      const pairs: ClaimPair[] = [];
      let looked = 0;
      let queueHeld = false;
      for (const record of records) {
        if (pairs.length >= want) break;
        looked++;
        if (record?.job.state !== "queued") continue;
        if (trial.take(record.job)) {
          pairs.push({ record, after: claimJob(record.job, { workerId, now, leaseMs }) });
        } else if (trial.queueFull(queue)) {
          queueHeld = true;
          break;
        }
      }
      const { applied, raced } = await commit(pairs);
      for (const job of applied) left.take(job);
      claimed.push(...applied);
      if (raced.length > 0) continue; // look at the same jobs again
      if (queueHeld || (looked === listed.length && listed.length <= count)) break;
      // Jobs passed over stay ready: the next list starts after what this one looked at.
      start = listed[looked - 1] ?? start;
    }
  }
  return { jobs: claimed, heldBack: left.heldBack() };
}

/** Up to `count` ready keys under `prefix` after `start` (from the first without). */
async function listAfter(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  start: Deno.KvKey | undefined,
  count: number,
): Promise<Deno.KvKey[]> {
  // A list from `start` includes it.
  const listed = await listKeys(kv, start ? { prefix, start } : { prefix }, count);
  return listed.filter((key) => !start || JSON.stringify(key) !== JSON.stringify(start));
}
