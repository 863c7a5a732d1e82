/**
 * Dependencies on Redis: inserting jobs linked to their parents, and settling a job with
 * its dependants, each one `write_linked` script that writes everything only if every
 * record is still at the version read. The decisions are `src/flows/`'s pure functions,
 * the same the KV store runs. A job's children are listed in its record (`dependants`), so
 * settling a job without dependants takes the usual per-queue script.
 *
 * @example
 * ```ts ignore
 * const linked = new RedisDependencies(redis, keys);
 * await linked.insert(jobs, Date.now());
 * ```
 * @module
 */
import { StoreUnavailableError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import type { JobsWrittenListener } from "../store.ts";
import { dependantChanges } from "../../flows/cascade.ts";
import { linkNewJobs, outsideParents } from "../../flows/links.ts";
import type { RedisKeys } from "./keys.ts";
import { locateJobs } from "./reads.ts";
import { encodeJob } from "./record.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";

/** Reads and writes again this many times when another writer raced us. */
const ATTEMPTS = 5;

/** One record to write: new (`before` null), changed from `before`, or deleted (`after` null). */
export interface Write {
  before: Job | null;
  after: Job | null;
}

/**
 * The `write_linked` script's arguments for `writes`: per record its queue's prefix and
 * name, id, expected version ("" for new) and its fields.
 *
 * @example
 * ```ts ignore
 * await redis.tqWriteLinked(queues, wake, queues, String(writes.length), ...linkedWriteArgs(keys, writes));
 * ```
 */
export function linkedWriteArgs(keys: RedisKeys, writes: Write[]): string[] {
  return writes.flatMap(({ before, after }) => {
    const job = (after ?? before)!;
    const fields = after ? encodeJob(after) : [];
    return [
      keys.queue(job.queue),
      job.queue,
      job.id,
      before ? String(before.version) : "",
      String(fields.length / 2),
      ...fields,
    ];
  });
}

/** Linked writes of one store. */
export class RedisDependencies {
  readonly #redis: ScriptedRedis;
  readonly #keys: RedisKeys;
  readonly #report: JobsWrittenListener;

  constructor(redis: ScriptedRedis, keys: RedisKeys, report: JobsWrittenListener) {
    this.#redis = redis;
    this.#keys = keys;
    this.#report = report;
  }

  /** Inserts `jobs` linked to their parents; returns the records written. */
  async insert(jobs: Job[], now: number): Promise<Job[]> {
    const ids = outsideParents(jobs);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const read = await locateJobs(this.#redis, this.#keys, ids);
      const stored = new Map(read.flatMap((job) => job ? [[job.id, job] as const] : []));
      const linked = linkNewJobs(jobs, stored, now);
      const writes = [...linked.parents, ...linked.jobs.map((after) => ({ before: null, after }))];
      if (await this.#write(writes)) return linked.jobs;
    }
    throw new StoreUnavailableError("the parents of the new jobs kept changing; try again");
  }

  /**
   * Settles one job with its dependants. Returns the records written, the job first, or
   * null when the job is no longer at `before.version`.
   */
  async settle(before: Job, after: Job): Promise<Job[] | null> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const changes = await dependantChanges(
        [after],
        (ids) => locateJobs(this.#redis, this.#keys, ids),
      );
      if (await this.#write([{ before, after }, ...changes])) {
        return [after, ...changes.map((c) => c.after)];
      }
      const [current] = await locateJobs(this.#redis, this.#keys, [before.id]);
      if (current?.version !== before.version) return null;
    }
    throw new StoreUnavailableError(`the dependants of job ${before.id} kept changing`);
  }

  /**
   * Deletes `job` and writes the changes of its dependants, all or nothing; false when one
   * of them is no longer at the version read.
   */
  delete(job: Job, dependants: Write[]): Promise<boolean> {
    return this.#write([{ before: job, after: null }, ...dependants]);
  }

  async #write(writes: Write[]): Promise<boolean> {
    const args = linkedWriteArgs(this.#keys, writes);
    const keys = this.#keys;
    const written = await this.#redis.tqWriteLinked(
      keys.queues,
      keys.wake,
      keys.queues,
      String(writes.length),
      ...args,
    );
    if (written === 1) this.#report(writes);
    return written === 1;
  }
}
