/**
 * The Redis side of events (`../events.ts`): the events of one name and key are a sorted
 * set by `sentAt` under `prefix:event:…` (single commands, so any slot will do), trimmed
 * and given a fresh expiry by each event sent; the jobs waiting for one are found in each
 * queue's `waiting` set, sorted by event and key (`keys.ts`, `scripts/indexes.lua.ts`).
 *
 * @example
 * ```ts ignore
 * const events = new RedisEvents(redis, keys);
 * await events.eventPut({ event, ttlMs: 86_400_000 });
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import type { EventListParams, EventRecord, WaitingListParams } from "../events.ts";
import type { RedisClient } from "./connection.ts";
import type { RedisKeys } from "./keys.ts";
import { execPipeline, knownQueues, readJobs } from "./reads.ts";

/** The Redis side of the event methods of the store contract. */
export class RedisEvents {
  readonly #redis: RedisClient;
  readonly #keys: RedisKeys;

  constructor(redis: RedisClient, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async eventPut({ event, ttlMs }: { event: EventRecord; ttlMs: number }): Promise<void> {
    const key = this.#keys.event(event.name, event.key);
    await execPipeline(
      this.#redis.multi()
        .zadd(key, event.sentAt, JSON.stringify(event))
        .zremrangebyscore(key, "-inf", `(${event.sentAt - ttlMs}`)
        .pexpire(key, ttlMs),
    );
  }

  async eventList({ name, key, since, limit }: EventListParams): Promise<EventRecord[]> {
    const members = await this.#redis.zrangebyscore(
      this.#keys.event(name, key),
      since,
      "+inf",
      "LIMIT",
      0,
      limit,
    );
    return members.map((member) => JSON.parse(member));
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
