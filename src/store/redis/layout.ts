/**
 * A Redis prefix's layout version (`<prefix>:layout`, a number), its migration lock
 * (`<prefix>:layout_lock`, taken with `SET PX` unless another holds it, renewed while its holder
 * migrates: Redis expires it if its holder dies) and
 * its migrations, for the shared runner in `../migrations.ts`. Both keys sit beside the
 * cross-queue keys of `keys.ts`, and each is read or written by single commands.
 *
 * @example
 * ```ts ignore
 * import { REDIS_MIGRATIONS, RedisLayout } from "./layout.ts";
 * await migrateLayout({ layout: new RedisLayout(redis, keys), migrations: REDIS_MIGRATIONS,
 *   target: { redis, keys }, clock, store: "Redis prefix tq" });
 * ```
 * @module
 */
import type { RedisClient } from "./connection.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";
import type { RedisKeys } from "./keys.ts";
import { type ChainableCommander, Cluster } from "ioredis";
import type { Clock } from "../../clock.ts";
import { execPipeline, knownQueues } from "./reads.ts";
import { RedisRecords } from "./records.ts";
import { isJobId } from "../../ids.ts";
import type { LayoutRecord, Migration } from "../migrations.ts";

/** Takes the lock for ARGV[2] ms as ARGV[1], or extends it if ARGV[1] holds it. */
const TAKE = `local held = redis.call("GET", KEYS[1])
if held and held ~= ARGV[1] then return 0 end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
return 1`;

/** Deletes the lock only while it still holds the caller's token. */
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`;

/** Records put per commit when old keys move: a whole job's log lines may be thousands. */
const RECORDS_PER_COMMIT = 500;

/** The version key and migration lock of one prefix. */
export class RedisLayout implements LayoutRecord {
  readonly #redis: RedisClient;
  readonly #version: string;
  readonly #lock: string;

  constructor(redis: RedisClient, keys: RedisKeys) {
    this.#redis = redis;
    this.#version = `${keys.prefix}:layout`;
    this.#lock = `${keys.prefix}:layout_lock`;
  }

  async versionGet(): Promise<number> {
    return Number(await this.#redis.get(this.#version) ?? 0);
  }

  async versionSet(version: number): Promise<void> {
    await this.#redis.set(this.#version, String(version));
  }

  async lockTake({ owner, ms }: { owner: string; ms: number }): Promise<boolean> {
    return await this.#redis.eval(TAKE, 1, this.#lock, owner, String(ms)) === 1;
  }

  async lockRelease({ owner }: { owner: string }): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.#lock, owner);
  }
}

/** What Redis migrations work on. */
export interface RedisTarget {
  redis: ScriptedRedis;
  keys: RedisKeys;
}

/**
 * A prefix's migrations, in order.
 *
 * 1. Prefixes written before queued jobs lost their `state:queued` listing still hold one
 *    per queue, and nothing deletes its members: a job's later scripts move only the entries
 *    its record implies now, and no record implied one then (layout 4 brought it back for
 *    the jobs in `ready` only).
 * 2. Records leave out their id, queue and the fields at their defaults (`record.ts`). This
 *    tq reads both shapes, so nothing is rewritten; the version is there so that a tq from
 *    before, which would read such a record as a job without id or queue, refuses the prefix.
 * 3. Jobs are found by id in every queue (`scripts/locate_jobs.lua.ts`) rather than through
 *    the locator hash (id → queue), which cost 83 bytes per job: it is deleted. A tq from
 *    before would not find the jobs inserted after, so it refuses the prefix.
 * 4. Queued jobs of priority 0 whose `runAt` is their id's time move from `ready` to `fifo`,
 *    the others are listed in `state:queued`, and the `all` listings, which cost every job
 *    an entry, are deleted (`scripts/ready.lua.ts`, `list_jobs.ts`).
 * 5. Queue pauses and task holds became keyed records (`records.ts`): they move there (a
 *    hold's value becomes `{ until }`). Worker entries are dropped (running workers write
 *    theirs again within a beat), and so are dashboard sessions: whoever was logged in to
 *    the dashboard logs in again once.
 * 6. Keyed records are listed in key order, from a prefix on, through a second index per
 *    space (`<prefix>:reckeys:<space>`, `records.ts`): it is filled from the expiry index
 *    of each space written until then. Events became keyed records too (`src/steps/
 *    kept_events.ts`); those kept before under `<prefix>:event:…` are not carried over
 *    (docs/stores.md) and Redis expires them within 24 hours.
 * 7. Idempotency keys became keyed records (`src/guards/idempotency.ts`): each
 *    `<prefix>:idem:<key>` (`<expiresAt>:<jobId>`) moves to the record `idempotency`/`<key>`
 *    with the time to live it had left.
 * 8. Schedules became keyed records (`src/scheduler/schedule_records.ts`): each hash
 *    `<prefix>:schedule:<name>` moves to its last run, the record `schedule`/`<name>`, and,
 *    when paused, the record `schedule_pause`/`<name>`.
 * 9. Debounce keys became keyed records (`src/guards/debounce.ts`): each
 *    `<prefix>:debounce:<task>:<key>` (`<firstAt>:<jobId>`) moves to the record
 *    `debounce`/`<task>:<key>` with the time to live it had left.
 * 10. Batches became keyed records (`src/batches/batch_records.ts`): each hash
 *    `<prefix>:batch:<id>` (its record, JSON, in `r`) moves to the record `batch`/`<id>` with
 *    the time to live it had left, and each member of the set `<prefix>:batches:open` to the
 *    record `batch_open`/`<id>`; the counts per queue (`{<prefix>:<queue>}:batch:<id>`) stay.
 * 11. Job log lines became keyed records (`src/job_log/job_log.ts`): each member
 *    (`<seq>\n<line JSON>`) of the sorted set `<prefix>:joblog:<jobId>` moves to the record
 *    `log`/`<jobId>/<seq>` with the time to live the set had left. The statistics hashes
 *    `{<prefix>:<queue>}:stats` are dropped: they are records of `src/metrics/` now,
 *    counted from zero (Prometheus takes it as a counter reset).
 */
export const REDIS_MIGRATIONS: readonly Migration<RedisTarget>[] = [
  {
    version: 1,
    name: "delete the stale state:queued listings",
    async run({ redis, keys }) {
      for (const queue of await knownQueues(redis, keys)) {
        await redis.del(`${keys.queue(queue)}state:queued`);
      }
    },
  },
  {
    version: 2,
    name: "records without their id, queue and defaults",
    async run() {},
  },
  {
    version: 3,
    name: "no job locator",
    async run({ redis, keys }) {
      // UNLINK frees a hash of millions of entries in the background, not while Redis waits.
      await redis.unlink(`${keys.prefix}:loc`);
    },
  },
  {
    version: 4,
    name: "most queued jobs in fifo, no all listings",
    async run({ redis, keys }) {
      for (const queue of await knownQueues(redis, keys)) {
        let from = 0;
        while (from >= 0) from = await redis.tqFifoSplit(keys.queue(queue), String(from), "1000");
        await redis.unlink(`${keys.queue(queue)}all`);
      }
    },
  },
  {
    version: 5,
    name: "move pauses and holds to keyed records",
    async run({ redis, keys }, clock) {
      const records = new RedisRecords(redis, keys, clock);
      const paused = `${keys.prefix}:paused`;
      const holds = `${keys.prefix}:task_holds`;
      for (const queue of await redis.smembers(paused)) {
        await records.put({ space: "queue_pause", key: queue, value: true });
      }
      for (const [task, until] of Object.entries(await redis.hgetall(holds))) {
        const ttlMs = Number(until) - clock.now() + 60_000;
        if (ttlMs > 0) {
          await records.put({
            space: "task_hold",
            key: task,
            value: { until: Number(until) },
            ttlMs,
          });
        }
      }
      await redis.del(paused, holds, `${keys.prefix}:workers`);
    },
  },
  {
    version: 6,
    name: "index keyed records by key",
    async run({ redis, keys }) {
      for (const space of ["session", "worker", "queue_pause", "task_hold"]) {
        const held = await redis.zrange(`${keys.prefix}:rec:${space}`, 0, -1);
        for (let i = 0; i < held.length; i += 1_000) {
          const chunk = held.slice(i, i + 1_000).flatMap((key) => [0, key]);
          await redis.zadd(`${keys.prefix}:reckeys:${space}`, ...chunk);
        }
      }
    },
  },
  {
    version: 7,
    name: "move idempotency keys to keyed records",
    run: (target, clock) =>
      moveToRecords(target, clock, "idem", timeAndId("idempotency", "expiresAt")),
  },
  {
    version: 8,
    name: "move schedules to keyed records",
    run: (target, clock) =>
      moveToRecords(target, clock, "schedule", (key, read) => {
        read.hgetall(key);
        return (reply) => {
          const { paused, lastTickAt, lastRunAt, lastJobId } = reply() as Record<string, string>;
          const lastRun = {
            ...lastTickAt ? { lastTickAt: Number(lastTickAt) } : {},
            ...lastRunAt ? { lastRunAt: Number(lastRunAt) } : {},
            ...lastJobId ? { lastJobId } : {},
          };
          return [
            ...Object.keys(lastRun).length > 0 ? [{ space: "schedule", value: lastRun }] : [],
            ...paused === "1" ? [{ space: "schedule_pause", value: true }] : [],
          ];
        };
      }),
  },
  {
    version: 9,
    name: "move debounce keys to keyed records",
    run: (target, clock) =>
      moveToRecords(target, clock, "debounce", timeAndId("debounce", "firstAt")),
  },
  {
    version: 10,
    name: "move batches to keyed records",
    async run(target, clock) {
      await moveToRecords(target, clock, "batch", (key, read) => {
        read.hget(key, "r").pttl(key);
        return (reply) => {
          const [text, ttlMs] = [reply() as string | null, reply() as number];
          if (text === null || ttlMs === -2) return []; // expired meanwhile
          return [{ space: "batch", value: JSON.parse(text), ...ttlMs > 0 && { ttlMs } }];
        };
      }, isJobId);
      const { redis, keys } = target;
      const openSet = `${keys.prefix}:batches:open`;
      const open = await redis.smembers(openSet);
      const puts = open.map((key) => ({ space: "batch_open", key, value: true }));
      if (puts.length > 0) await new RedisRecords(redis, keys, clock).commit({ puts });
      await redis.unlink(openSet);
    },
  },
  {
    version: 11,
    name: "move group and concurrency-key lanes to keyed records",
    async run(target, clock) {
      for (const kind of ["group", "concurrency"]) await moveLanes(target, clock, kind);
    },
  },
  {
    version: 12,
    name: "move job log lines to keyed records, drop the statistics",
    async run(target, clock) {
      await moveToRecords(target, clock, "joblog", (key, read) => {
        read.zrange(key, 0, -1).pttl(key);
        return (reply) => {
          const [members, ttlMs] = [reply() as string[], reply() as number];
          return members.map((member) => {
            const at = member.indexOf("\n");
            return {
              space: "log",
              suffix: `/${member.slice(0, at)}`,
              value: JSON.parse(member.slice(at + 1)),
              ...ttlMs > 0 && { ttlMs },
            };
          });
        };
      }, isJobId);
      const { redis, keys } = target;
      for (const queue of await knownQueues(redis, keys)) {
        await redis.unlink(`${keys.queue(queue)}stats`);
      }
    },
  },
];

/**
 * Rewrites each `<prefix>:<kind>:<key>` string (a key's lane tails) as the keyed record
 * `lane` / `<kind>:<key>` with the time it had left, and deletes it (safe to run again).
 * Strings only: under a prefix that is a hash tag, the keys of a queue named `<kind>` match
 * too, and those are hashes and sorted sets.
 */
async function moveLanes({ redis, keys }: RedisTarget, clock: Clock, kind: string) {
  const records = new RedisRecords(redis, keys, clock);
  const old = `${keys.prefix}:${kind}:`;
  for await (const matching of keysMatching(redis, `${old}*`)) {
    const types = await execPipeline(
      matching.reduce((pipeline, key) => pipeline.type(key), redis.pipeline()),
    );
    const found = matching.filter((_, i) => types[i] === "string");
    if (found.length === 0) continue;
    const read = await execPipeline(
      found.reduce((pipeline, key) => pipeline.get(key).pttl(key), redis.pipeline()),
    );
    const puts = found.flatMap((key, i) => {
      const [text, ttlMs] = [read[2 * i] as string | null, read[2 * i + 1] as number];
      if (text === null || ttlMs === -2) return []; // expired meanwhile
      const value = { space: "lane", key: `${kind}:${key.slice(old.length)}`, value: text };
      return [ttlMs > 0 ? { ...value, ttlMs } : value];
    });
    if (puts.length > 0) await records.commit({ puts });
    await redis.unlink(...found);
  }
}

/**
 * How to move a string `<time>:<jobId>` kept with a time to live (an idempotency or
 * debounce key): to `{ jobId, [time]: <time> }` in `space`, with the time it had left.
 */
function timeAndId(space: string, time: string) {
  return (key: string, read: ChainableCommander) => {
    read.get(key).pttl(key);
    return (reply: () => unknown): MovedRecord[] => {
      const [text, ttlMs] = [reply() as string | null, reply() as number];
      if (text === null || ttlMs <= 0) return []; // expired meanwhile
      const at = text.indexOf(":");
      const value = { jobId: text.slice(at + 1), [time]: Number(text.slice(0, at)) };
      return [{ space, value, ttlMs }];
    };
  };
}

/**
 * A record an old key becomes; its key is the old key's name after `<prefix>:<kind>:`,
 * then `suffix` when one old key becomes several records.
 */
type MovedRecord = { space: string; value: unknown; ttlMs?: number; suffix?: string };

/**
 * Rewrites every `<prefix>:<kind>:<name>` key as the keyed records `read` makes of it (it
 * queues the reads of one key on a pipeline and answers a conversion that takes their
 * replies one by one, in order), a page of keys per record commit, and deletes the old
 * keys (safe to run again). With `named`, only keys whose name it takes: under a prefix
 * that is a hash tag, a queue named `<kind>` has keys that match too.
 */
async function moveToRecords(
  { redis, keys }: RedisTarget,
  clock: Clock,
  kind: string,
  read: (key: string, pipeline: ChainableCommander) => (reply: () => unknown) => MovedRecord[],
  named: (name: string) => boolean = () => true,
): Promise<void> {
  const records = new RedisRecords(redis, keys, clock);
  const old = `${keys.prefix}:${kind}:`;
  for await (const matching of keysMatching(redis, `${old}*`)) {
    const found = matching.filter((key) => named(key.slice(old.length)));
    if (found.length === 0) continue;
    const pipeline = redis.pipeline();
    const converts = found.map((key) => read(key, pipeline));
    const replies = (await execPipeline(pipeline)).values();
    const reply = () => replies.next().value;
    const puts = found.flatMap((key, i) =>
      converts[i](reply).map(({ suffix = "", ...record }) => ({
        ...record,
        key: key.slice(old.length) + suffix,
      }))
    );
    for (let at = 0; at < puts.length; at += RECORDS_PER_COMMIT) {
      await records.commit({ puts: puts.slice(at, at + RECORDS_PER_COMMIT) });
    }
    await redis.unlink(...found);
  }
}

/**
 * The keys matching `pattern`, a page at a time, on every primary of a Cluster (a SCAN
 * answers only the keys of the node it runs on).
 */
async function* keysMatching(redis: RedisClient, pattern: string): AsyncGenerator<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, found] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
      if (found.length > 0) yield found;
      cursor = next;
    } while (cursor !== "0");
  }
}
