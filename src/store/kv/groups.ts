/**
 * Ordered groups and concurrency keys on the KV file: new jobs are chained into their keys'
 * lanes (the pure rule is `src/guards/group.ts`) in one commit that checks the versionstamps
 * of each key's record (`["group", key]` or `["concurrency", key]`: its lane tails, kept
 * `GROUP_TTL_MS` after the last enqueue) and of every predecessor it changes, so two
 * producers appending to one key at once cannot both start a lane. Releasing the next job
 * when one ends is the dependants' settling (`src/flows/linked_writes.ts`).
 *
 * @example
 * ```ts ignore
 * const written = await insertGrouped(kv, jobs); // the second job of a group comes back deferred
 * ```
 * @module
 */
import { StoreUnavailableError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import {
  chainId,
  type ChainKey,
  chainKeyOf,
  chainKeys,
  GROUP_TTL_MS,
  laneIds,
  laneRecord,
  laneTails,
  linkChains,
} from "../../guards/group.ts";
import { jobKey } from "./keys.ts";
import { getRecords, type StoredJob } from "./reads.ts";
import { WriteBatch } from "./write_batch.ts";

/** Reads and writes again this many times when other writers raced us (one wins each time). */
const ATTEMPTS = 25;
/**
 * Checks one commit may spend on keys (of KV's 100): one per key's record and one per
 * predecessor, at most one per lane. Keys beyond it go in further commits.
 */
const CHECKS_PER_COMMIT = 90;
/** Keys per commit, whatever their checks, leaving room for 300 jobs' mutations. */
const KEYS_PER_COMMIT = 25;

const recordKey = ({ kind, key }: ChainKey): Deno.KvKey => [kind, key];

/**
 * Inserts `jobs`, chaining those with a group or concurrency key; returns the records
 * written. Jobs of many keys go in several commits, each key whole in one.
 */
export async function insertGrouped(kv: Deno.Kv, jobs: Job[]): Promise<Job[]> {
  if (jobs.some((job) => job.dependsOn)) {
    throw new RangeError("jobs with depends_on and jobs with a group go in separate inserts");
  }
  const written: Job[] = [];
  const parts = commitParts(jobs);
  for (const [i, keys] of parts.entries()) {
    const ids = new Set(keys.map(chainId));
    // Jobs without a key go with the first commit.
    const part = jobs.filter((job) => {
      const chain = chainKeyOf(job);
      return chain ? ids.has(chainId(chain)) : i === 0;
    });
    written.push(...await insertPart(kv, part, keys));
  }
  return written;
}

/** The keys of `jobs` split into commits that stay within KV's checks. */
function commitParts(jobs: Job[]): ChainKey[][] {
  const perKey = new Map<string, number>();
  for (const job of jobs) {
    const chain = chainKeyOf(job);
    if (chain) perKey.set(chainId(chain), (perKey.get(chainId(chain)) ?? 0) + 1);
  }
  const parts: ChainKey[][] = [[]];
  let checks = 0;
  for (const chain of chainKeys(jobs)) {
    const cost = 1 + Math.min(chain.limit, perKey.get(chainId(chain))!);
    const last = parts.at(-1)!;
    if (last.length > 0 && (checks + cost > CHECKS_PER_COMMIT || last.length >= KEYS_PER_COMMIT)) {
      parts.push([chain]);
      checks = cost;
    } else {
      last.push(chain);
      checks += cost;
    }
  }
  return parts;
}

async function insertPart(kv: Deno.Kv, jobs: Job[], keys: ChainKey[]): Promise<Job[]> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const records: Deno.KvEntryMaybe<string>[] = [];
    for (let i = 0; i < keys.length; i += 10) {
      records.push(...await kv.getMany<string[]>(keys.slice(i, i + 10).map(recordKey)));
    }
    const tailIds = records.map((record) => laneIds(record.value));
    const stored = new Map<string, StoredJob>();
    const resolved = await laneTails(tailIds, async (ids) => {
      const read = await getRecords(kv, ids);
      read.forEach((r) => r && stored.set(r.job.id, r));
      return read.map((r) => r?.job ?? null);
    });
    const tails = new Map(keys.map((chain, i) => [chainId(chain), resolved[i]]));
    const linked = linkChains(jobs, tails);
    const batch = new WriteBatch(kv);
    keys.forEach((chain, i) => {
      batch.check(recordKey(chain), records[i].versionstamp).set(
        recordKey(chain),
        laneRecord(linked.lanes.get(chainId(chain))!),
        { expireIn: GROUP_TTL_MS },
      );
    });
    for (const { before, after } of linked.predecessors) {
      batch.check(jobKey(before.id), stored.get(before.id)!.stamp).change(before, after);
    }
    for (const job of linked.jobs) batch.change(null, job);
    if ((await batch.commit()).ok) return linked.jobs;
  }
  throw new StoreUnavailableError("the groups of the new jobs kept changing; try again");
}
