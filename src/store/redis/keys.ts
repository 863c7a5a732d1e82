/**
 * The Redis key layout. Every key of one queue starts with the hash tag `{prefix:queue}`,
 * so each script touches one Cluster slot; the few keys that span queues sit beside them
 * under `prefix:` and are only read or written by single commands.
 *
 * A prefix that holds a hash tag itself (`{tq}`: the default on a Redis Cluster, and required
 * there) puts every key in that one slot instead: queue keys become `{tq}:<queue>:…`, so scripts that touch several
 * queues, keyed records or batches (flows, record commits such as cron runs)
 * stay in one slot, at the price of one node holding all of tq's keys.
 *
 * | key | type | for |
 * | --- | --- | --- |
 * | `{p:q}:job:<id>` | hash (see `record.ts`) | the record |
 * | `{p:q}:fifo` | zset, score 0, member id | queued jobs of priority 0 whose `runAt` is their id's time: claims (in id order) and their listing |
 * | `{p:q}:ready` | zset, score priority, member `runAt` (16 digits) + id | claims of the other queued jobs, best first (`scripts/ready.lua.ts`) |
 * | `{p:q}:sched` | zset, score `runAt` | the promoter (scheduled jobs, and waiting ones by timeout) |
 * | `{p:q}:waiting` | zset, score 0, member `waitEvent` NUL `waitKey` NUL id | the jobs an event wakes (`events.ts`) |
 * | `{p:q}:lease` | zset, score `leaseExpiresAt` | the rescuer |
 * | `{p:q}:exp` | zset, score `expiresAt` | the pruner |
 * | `{p:q}:callback` | zset, score `callbackDueAt` | completion callbacks (`src/callbacks/`) |
 * | `{p:q}:state:<state>` | zset, score 0, member id | listings, newest first (`state:queued`: the jobs in `ready`; see `list_jobs.ts`) |
 * | `{p:q}:counts` | hash state → count | exact counts |
 * | `{p:q}:batch:<id>` | hash state → count | the counts of a batch's jobs in the queue (`batches.ts`) |
 * | `p:queues` | set of queue names | listings across queues, finding a record by id alone |
 * | `p:wake` | pub/sub channel, message: a queue | waking idle workers |
 * | `p:rec:<space>:<key>`, `p:rec:<space>`, `p:reckeys:<space>` | string (JSON, maybe with a TTL); zset of keys, score: expiry; zset of keys, score 0 (by key) | keyed records: sessions, workers, pauses, holds, kept events, idempotency and debounce keys, schedules, batches, job log lines, job statistics (`records.ts`) |
 * | `p:layout`, `p:layout_lock` | string: a number; string with a PX expiry | the layout version and its migration lock (`layout.ts`) |
 *
 * @example
 * ```ts
 * import { RedisKeys } from "./keys.ts";
 * const keys = new RedisKeys("tq");
 * console.assert(keys.job("mail", "01J") === "{tq:mail}:job:01J");
 * console.assert(new RedisKeys("{tq}").job("mail", "01J") === "{tq}:mail:job:01J");
 * ```
 * @module
 */
import type { TimeIndex } from "../time_index.ts";
import { JOB_STATES, type JobState } from "../../job.ts";
import { isJobId } from "../../ids.ts";

/** The names of one app's keys, all under `prefix`. */
export class RedisKeys {
  /** The set of every queue that has held a job. */
  readonly queues: string;
  /** The channel scripts publish a queue's name on when a job in it becomes ready. */
  readonly wake: string;
  /** Written by `ping()`. */
  readonly ping: string;
  /**
   * What goes before and after a queue's name in {@linkcode queue}: scripts that look for a
   * job in every queue (`scripts/locate.lua.ts`) build the queues' prefixes from them.
   */
  readonly queueAffixes: readonly [string, string];

  constructor(readonly prefix: string) {
    this.queues = `${prefix}:queues`;
    this.wake = `${prefix}:wake`;
    this.ping = `${prefix}:ping`;
    this.queueAffixes = hasHashTag(prefix) ? [`${prefix}:`, ":"] : [`{${prefix}:`, "}:"];
  }

  /** The start of every key of `queue`: scripts get it as `KEYS[1]` and append the rest. */
  queue(queue: string): string {
    return this.queueAffixes[0] + queue + this.queueAffixes[1];
  }

  job(queue: string, id: string): string {
    return `${this.queue(queue)}job:${id}`;
  }

  /** One of a queue's time-ordered indexes. */
  timeIndex(queue: string, index: TimeIndex): string {
    return this.queue(queue) + index;
  }

  /**
   * The sets, each sorted by id, that together list a queue's jobs in `state`, or all of
   * them: `state:<state>`, and `fifo` for queued jobs (`scripts/ready.lua.ts`).
   */
  listings(queue: string, state?: JobState): string[] {
    const K = this.queue(queue);
    const states = state ? [state] : JOB_STATES;
    const sets = states.map((s) => `${K}state:${s}`);
    return states.includes("queued") ? [`${K}fifo`, ...sets] : sets;
  }

  counts(queue: string): string {
    return `${this.queue(queue)}counts`;
  }

  /** The counts per state of batch `id`'s jobs in `queue` (`batches.ts`). */
  batchCounts(queue: string, id: string): string {
    return `${this.queue(queue)}batch:${id}`;
  }

  /** A queue's waiting jobs, by the event and key they wait for. */
  waiting(queue: string): string {
    return `${this.queue(queue)}waiting`;
  }
}

/**
 * Whether `prefix` holds a Redis Cluster hash tag (`{…}` with something inside), which
 * then decides the slot of every key.
 *
 * @example
 * ```ts
 * import { hasHashTag } from "./keys.ts";
 * console.assert(hasHashTag("{tq}") && !hasHashTag("tq"));
 * ```
 */
export function hasHashTag(prefix: string): boolean {
  return /\{[^{}]+\}/.test(prefix);
}

/** ULID's digits, in order of value. */
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * Whether a queued job with these fields is claimed in id order from `fifo` rather than
 * from `ready`: priority 0, and its `runAt` the time in its id. The TypeScript twin of
 * `inFifo` in `scripts/ready.lua.ts`, for the audit.
 *
 * @example
 * ```ts
 * import { claimedInIdOrder } from "./keys.ts";
 * console.assert(claimedInIdOrder("01JD0000000000000000000000", 0, 1731945562112));
 * console.assert(!claimedInIdOrder("01JD0000000000000000000000", 2, 1731945562112));
 * ```
 */
export function claimedInIdOrder(id: string, priority: number, runAt: number): boolean {
  if (priority !== 0 || !isJobId(id)) return false;
  let time = 0;
  for (const char of id.slice(0, 10)) time = time * 32 + CROCKFORD.indexOf(char);
  return time === runAt;
}
