/**
 * The Redis side of events (`../events.ts`): the jobs waiting for one are found in each
 * queue's `waiting` set, sorted by event and key (`keys.ts`, `scripts/indexes.lua.ts`).
 *
 * @example
 * ```ts ignore
 * const events = new RedisEvents(redis, keys);
 * const jobs = await events.jobListWaiting({ event: "order.approved", key: "o1", limit: 100 });
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import type { WaitingListParams } from "../events.ts";
import type { RedisClient } from "./connection.ts";
import type { RedisKeys } from "./keys.ts";
import { execPipeline, knownQueues, readJobs } from "./reads.ts";

/** The Redis side of `jobListWaiting`. */
export class RedisEvents {
  readonly #redis: RedisClient;
  readonly #keys: RedisKeys;

  constructor(redis: RedisClient, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async jobListWaiting({ event, key, limit }: WaitingListParams): Promise<Job[]> {
    const queues = await knownQueues(this.#redis, this.#keys);
    if (queues.length === 0) return [];
    const prefix = `${event}\0${key}\0`;
    const pipeline = this.#redis.pipeline();
    for (const queue of queues) {
      pipeline.zrangebylex(
        this.#keys.waiting(queue),
        `[${prefix}`,
        `(${event}\0${key}\x01`,
        "LIMIT",
        0,
        limit,
      );
    }
    const replies = await execPipeline(pipeline) as string[][];
    const refs = replies.flatMap((members, q) =>
      members.map((member) => ({ queue: queues[q], id: member.slice(prefix.length) }))
    ).slice(0, limit);
    const jobs = await readJobs(this.#redis, this.#keys, refs);
    return jobs.filter((job): job is Job => job?.state === "waiting");
  }
}
