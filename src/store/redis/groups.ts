/**
 * Ordered groups on Redis: new jobs are chained behind their groups' newest jobs (the pure
 * rule is `src/guards/group.ts`) in one `write_linked` script that also compares and sets
 * each group's record (`prefix:group:<key>`, the id of its newest job, kept
 * `GROUP_TTL_MS` after the last enqueue): two producers appending to one group at once
 * cannot both become its head. Releasing the next job when one ends is the dependants'
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
import { GROUP_TTL_MS, linkGroups } from "../../guards/group.ts";
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

  constructor(redis: ScriptedRedis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  /** Inserts `jobs`, chaining those with a `group`; returns the records written. */
  async insert(jobs: Job[]): Promise<Job[]> {
    if (jobs.some((job) => job.dependsOn)) {
      throw new RangeError("jobs with depends_on and jobs with a group go in separate inserts");
    }
    const groups = [...new Set(jobs.flatMap((job) => job.group === undefined ? [] : [job.group]))];
    const recordKeys = groups.map((group) => `${this.#keys.prefix}:group:${group}`);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const tailIds = await this.#redis.mget(...recordKeys);
      const read = await locateJobs(
        this.#redis,
        this.#keys,
        tailIds.filter((id): id is string => id !== null),
      );
      const stored = new Map(read.flatMap((job) => job ? [[job.id, job] as const] : []));
      const tails = new Map(groups.map((group, i) => [group, stored.get(tailIds[i]!) ?? null]));
      const linked = linkGroups(jobs, tails);
      const writes = [
        ...linked.predecessors,
        ...linked.jobs.map((after) => ({ before: null, after })),
      ];
      const conditions = groups.flatMap((group, i) => [
        recordKeys[i],
        tailIds[i] ?? "",
        linked.tails.get(group)!,
        String(GROUP_TTL_MS),
      ]);
      const args = linkedWriteArgs(this.#keys, writes);
      const written = await this.#redis.tqWriteLinked(
        this.#keys.queues,
        this.#keys.wake,
        this.#keys.queues,
        this.#keys.locator,
        String(writes.length),
        ...args,
        String(groups.length),
        ...conditions,
      );
      if (written === 1) return linked.jobs;
    }
    throw new StoreUnavailableError("the groups of the new jobs kept changing; try again");
  }
}
