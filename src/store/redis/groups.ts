/**
 * Ordered groups and concurrency keys on Redis: new jobs are chained into their keys' lanes
 * (the pure rule is `src/guards/group.ts`) in one `write_linked` script that also compares
 * and sets each key's record (`prefix:group:<key>` or `prefix:concurrency:<key>`, its lane
 * tails, kept `GROUP_TTL_MS` after the last enqueue): two producers appending to one key at
 * once cannot both start a lane. Releasing the next job when one ends is the dependants'
 * settling (`dependencies.ts`), unchanged.
 *
 * @example
 * ```ts ignore
 * const groups = new RedisGroups(redis, keys);
 * const written = await groups.insert(jobs); // the second job of a group comes back deferred
 * ```
 * @module
 */
import { StoreUnavailableError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import type { JobsWrittenListener } from "../store.ts";
import {
  chainId,
  chainKeys,
  GROUP_TTL_MS,
  laneIds,
  laneRecord,
  laneTails,
  linkChains,
} from "../../guards/group.ts";
import type { RedisKeys } from "./keys.ts";
import { linkedWriteArgs } from "./dependencies.ts";
import { locateJobs } from "./reads.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";

/** Reads and writes again this many times when other writers raced us (one wins each time). */
const ATTEMPTS = 25;

/** Grouped inserts of one store. */
export class RedisGroups {
  readonly #redis: ScriptedRedis;
  readonly #keys: RedisKeys;

  readonly #report: JobsWrittenListener;

  constructor(redis: ScriptedRedis, keys: RedisKeys, report: JobsWrittenListener) {
    this.#redis = redis;
    this.#keys = keys;
    this.#report = report;
  }

  /** Inserts `jobs`, chaining those with a group or concurrency key; returns the records written. */
  async insert(jobs: Job[]): Promise<Job[]> {
    if (jobs.some((job) => job.dependsOn)) {
      throw new RangeError("jobs with depends_on and jobs with a group go in separate inserts");
    }
    const keys = chainKeys(jobs);
    const recordKeys = keys.map(({ kind, key }) => `${this.#keys.prefix}:${kind}:${key}`);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const records = await this.#redis.mget(...recordKeys);
      const tailIds = records.map(laneIds);
      const resolved = await laneTails(tailIds, (ids) => locateJobs(this.#redis, this.#keys, ids));
      const tails = new Map(keys.map((chain, i) => [chainId(chain), resolved[i]]));
      const linked = linkChains(jobs, tails);
      const writes = [
        ...linked.predecessors,
        ...linked.jobs.map((after) => ({ before: null, after })),
      ];
      const conditions = keys.flatMap((chain, i) => [
        recordKeys[i],
        records[i] ?? "",
        laneRecord(linked.lanes.get(chainId(chain))!),
        String(GROUP_TTL_MS),
      ]);
      const args = linkedWriteArgs(this.#keys, writes);
      const written = await this.#redis.tqWriteLinked(
        this.#keys.queues,
        this.#keys.wake,
        this.#keys.queues,
        String(writes.length),
        ...args,
        String(keys.length),
        ...conditions,
      );
      if (written === 1) {
        this.#report(writes);
        return linked.jobs;
      }
    }
    throw new StoreUnavailableError("the groups of the new jobs kept changing; try again");
  }
}
