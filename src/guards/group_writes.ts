/**
 * Inserting jobs under ordered groups and concurrency keys, once for every store, over its
 * primitives: each key's lane tails are a keyed record (space `lane`, key its
 * {@linkcode chainId}, `group:<key>` or `concurrency:<key>`, kept `GROUP_TTL_MS` after the
 * last enqueue into it), the tails' jobs are read (`jobGetMany`), `linkChains` decides, and
 * one `recordCommit` writes the new jobs, the predecessors that gain a successor (checked
 * against the versions read) and the keys' records (checked against the versions read), so
 * two producers appending to one key at once cannot both start a lane: the one that lost
 * reads again. Releasing the next job when one ends is the dependants' settling
 * (`src/flows/linked_writes.ts`).
 *
 * @example
 * ```ts ignore
 * const written = await insertChained(store, jobs); // the second job of a group comes back deferred
 * ```
 * @module
 */
import { StoreUnavailableError } from "../errors.ts";
import type { Job } from "../job.ts";
import type { InsertLimits, RecordAddress } from "../store/records.ts";
import type { Store } from "../store/store.ts";
import {
  chainId,
  type ChainKey,
  chainKeyOf,
  chainKeys,
  type ChainLinks,
  GROUP_TTL_MS,
  laneIds,
  laneRecord,
  laneTails,
  linkChains,
} from "./group.ts";

/** The record space of the keys' lane tails. */
export const LANE_SPACE = "lane";

/**
 * What chained inserts read and write through, a store or a store within a transaction,
 * with the store's limits of one commit.
 */
export type ChainWriter = Pick<Store, "recordGet" | "jobGetMany" | "recordCommit"> & InsertLimits;

/** Reads and writes again this many times when other writers raced us (one wins each time). */
const ATTEMPTS = 25;
/**
 * Checks one commit may spend on keys, within the smallest store's (the KV file's 100 checks
 * and updates): one per key's record and one per predecessor, at most one per lane. Keys
 * beyond it go in further commits.
 */
const CHECKS_PER_COMMIT = 90;
/** Keys per commit, whatever their checks, leaving room for 300 jobs' writes. */
const KEYS_PER_COMMIT = 25;

const laneAddress = (chain: ChainKey): RecordAddress => ({
  space: LANE_SPACE,
  key: chainId(chain),
});

/**
 * Inserts `jobs`, chaining those with a group or concurrency key into their keys' lanes;
 * answers the records written. Jobs of many keys go in several commits, each key whole in
 * one. `StoreUnavailableError` when the keys kept changing.
 *
 * @example
 * ```ts ignore
 * const [first, second] = await insertChained(store, [job("a", "g"), job("b", "g")]);
 * ```
 */
export async function insertChained(store: ChainWriter, jobs: Job[]): Promise<Job[]> {
  if (jobs.some((job) => job.dependsOn)) {
    throw new RangeError("jobs with depends_on and jobs with a group go in separate inserts");
  }
  const written: Job[] = [];
  for (const [i, keys] of commitParts(jobs).entries()) {
    const ids = new Set(keys.map(chainId));
    // Jobs without a key go with the first commit.
    const part = jobs.filter((job) => {
      const chain = chainKeyOf(job);
      return chain ? ids.has(chainId(chain)) : i === 0;
    });
    written.push(...await insertPart(store, part, keys));
  }
  return written;
}

/** The keys of `jobs` split into commits that stay within the checks of one. */
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

async function insertPart(store: ChainWriter, jobs: Job[], keys: ChainKey[]): Promise<Job[]> {
  const addresses = keys.map(laneAddress);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const records = await Promise.all(addresses.map((address) => store.recordGet(address)));
    const tailIds = records.map((record) => laneIds((record?.value as string) ?? null));
    const resolved = await laneTails(tailIds, (ids) => store.jobGetMany(ids));
    const linked = linkChains(jobs, new Map(keys.map((chain, i) => [chainId(chain), resolved[i]])));
    if (jobs.length > 1 && !fitsOneCommit(store, linked)) {
      return await insertHalves(store, jobs, keys);
    }
    const written = await store.recordCommit({
      checks: addresses.map((address, i) => ({ ...address, version: records[i]?.version ?? null })),
      puts: keys.map((chain, i) => ({
        ...addresses[i],
        value: laneRecord(linked.lanes.get(chainId(chain))!),
        ttlMs: GROUP_TTL_MS,
      })),
      jobs: linked.jobs,
      updates: linked.predecessors,
    });
    if (written) return linked.jobs;
  }
  throw new StoreUnavailableError("the groups of the new jobs kept changing; try again");
}

/**
 * Whether the new jobs and the predecessors they update fit one record commit: a full batch
 * of new jobs does not once a predecessor is added to it.
 */
function fitsOneCommit(limits: InsertLimits, { jobs, predecessors }: ChainLinks): boolean {
  const all = [...jobs, ...predecessors.map((update) => update.after)];
  if (all.length > limits.maxInsertBatch) return false;
  let bytes = 0;
  for (const job of all) bytes += limits.jobBytes(job);
  return bytes <= limits.maxCommitBytes;
}

/** Inserts `jobs` in two commits, the first half first, so the second chains behind it. */
async function insertHalves(store: ChainWriter, jobs: Job[], keys: ChainKey[]): Promise<Job[]> {
  const half = Math.ceil(jobs.length / 2);
  const written: Job[] = [];
  for (const part of [jobs.slice(0, half), jobs.slice(half)]) {
    const ids = new Set(part.flatMap((job) => {
      const chain = chainKeyOf(job);
      return chain ? [chainId(chain)] : [];
    }));
    written.push(...await insertPart(store, part, keys.filter((chain) => ids.has(chainId(chain)))));
  }
  return written;
}
