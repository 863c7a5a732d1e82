/**
 * The Redis store: the same contract as the KV file, for workers on many hosts. Every
 * change of state is one Lua script on the keys of one queue (`scripts/`), so claims and
 * version-checked updates are atomic across any number of processes; records and their
 * index entries (see `keys.ts`) always move together. Idle workers are woken through
 * pub/sub (`wake_ups.ts`).
 *
 * @example
 * ```ts ignore
 * import { openRedisStore } from "./redis_store.ts";
 * const store = await openRedisStore("redis://127.0.0.1:6379", { prefix: "myapp" });
 * console.log(await store.queueCounts());
 * store.close();
 * ```
 * @module
 */
import { Cluster, Redis, ReplyError } from "ioredis";
import { type Clock, systemClock } from "../../clock.ts";
import { InvalidInputError, PayloadTooLargeError, StoreUnavailableError } from "../../errors.ts";
import { type Job, JOB_STATES, type JobState } from "../../job.ts";
import type {
  CappedClaim,
  CappedClaimParams,
  JobClaimParams,
  JobInsertParams,
  JobListParams,
  JobPage,
  JobsWrittenListener,
  JobUpdate,
  JobUpdateResult,
  QueueCounts,
  Store,
} from "../store.ts";
import {
  clientOptions,
  clusterOptions,
  openClient,
  openCluster,
  tlsOptions,
} from "./connection.ts";
import { hasHashTag, RedisKeys } from "./keys.ts";
import { stillDue, type TimeIndex } from "../time_index.ts";
import { listJobs } from "./list_jobs.ts";
import { earliest, execPipeline, knownQueues, locateJobs, readJobs } from "./reads.ts";
import { decodeClaimed, encodeJob, jobBytes, pushChanges } from "./record.ts";
import { type ScriptedRedis, type TqScriptsChain, withScripts } from "./scripts/mod.ts";
import * as Records from "../records.ts";
import { RedisRecords } from "./records.ts";
import { pingWrite } from "../ping_write.ts";
import type { BatchCounts } from "../batches.ts";
import { batchCountsRead } from "./batches.ts";
import { WakeUps } from "./wake_ups.ts";
import { writeLinked } from "./linked_write.ts";
import { refuseLinked, refuseSettling } from "../unlinked.ts";
import { claimCapped } from "./capped_claims.ts";
import type { BatchCountsFixParams, IndexProblem, QueueCountsFixParams } from "../audit.ts";
import { RedisAudit } from "./audit.ts";
import type { WaitingListParams } from "../events.ts";
import { RedisEvents } from "./events.ts";
import { migrateLayout } from "../migrations.ts";
import { REDIS_MIGRATIONS, RedisLayout } from "./layout.ts";

/** The default key prefix. */
export const DEFAULT_PREFIX = "tq";
/**
 * Largest record: Redis takes strings up to 512 MB, but every byte of a record is copied
 * on each claim and update while Redis serves nobody else, so a queue is no place for bulk
 * data (8 MiB: about 5 ms of Redis per copy).
 */
const MAX_JOB_BYTES = 8 * 1024 * 1024;
/** Jobs per insert: one script, which blocks Redis while it runs, so keep it short. */
const MAX_INSERT_BATCH = 1_000;
/** Bytes of records per insert script, for the same reason (about 10 ms of Redis). */
const MAX_COMMIT_BYTES = 16 * 1024 * 1024;
/**
 * Bytes of records per insert on a Redis Cluster, whose insert returns only once a replica
 * holds it (`WAIT`): small enough that a replica confirms it well within that wait.
 */
const MAX_REPLICATED_COMMIT_BYTES = 2 * 1024 * 1024;
/** Updates per script call, for the same reason. */
const UPDATES_PER_SCRIPT = 100;
/**
 * Jobs a worker claims per call: a claim script costs about 15 us of Redis per job, so 100
 * block it for under 2 ms, and half as many calls as the default 50 leave Redis and the
 * worker less per-call work (end to end, 100,000 no-op jobs: about +4 %).
 */
const MAX_CLAIM_BATCH = 100;
/** How long `ping()` waits for an answer. */
const PING_TIMEOUT_MS = 2_000;

/** Options of {@linkcode openRedisStore}. */
export interface RedisStoreOptions {
  /** Start of every key, so several apps share one Redis (default `tq`). */
  prefix?: string;
  clock?: Clock;
  /** PEM file of the CA that signed a `rediss://` server's certificate (see `tlsOptions`). */
  caFile?: string;
  /** Told of the job changes each write made (`../store.ts`). */
  onJobsWritten?: JobsWrittenListener;
}

/**
 * Connects to Redis at `url` (`redis://` or `rediss://`, with user, password and database
 * number as needed); throws `StoreUnavailableError` when it cannot.
 *
 * @example
 * ```ts ignore
 * const store = await openRedisStore("redis://:secret@10.0.0.5:6379/2", { prefix: "shop" });
 * ```
 */
export async function openRedisStore(
  url: string,
  options: RedisStoreOptions = {},
): Promise<Store> {
  const prefix = checkedPrefix(options.prefix ?? DEFAULT_PREFIX);
  const tls = await tlsOptions(url, options.caFile);
  const redis = withScripts(await openClient(url, tls));
  const keys = new RedisKeys(prefix);
  const clock = options.clock ?? systemClock;
  await migrate(redis, keys, clock);
  const wakeUps = new WakeUps(() => new Redis(url, clientOptions(tls)), keys.wake, clock);
  return new RedisStore(redis, keys, wakeUps, { clock, report: options.onJobsWritten });
}

/** Runs the prefix's pending migrations (`layout.ts`); closes the client if they fail. */
async function migrate(redis: ScriptedRedis, keys: RedisKeys, clock: Clock): Promise<void> {
  const layout = new RedisLayout(redis, keys);
  const store = `Redis prefix ${keys.prefix}`;
  try {
    await reach(() =>
      migrateLayout({ layout, migrations: REDIS_MIGRATIONS, target: { redis, keys }, clock, store })
    );
  } catch (error) {
    redis.disconnect();
    throw error;
  }
}

/** The default key prefix on a Redis Cluster: a hash tag, so every key shares one slot. */
export const DEFAULT_CLUSTER_PREFIX = "{tq}";

/** Options of {@linkcode openRedisClusterStore}. */
export interface RedisClusterStoreOptions extends RedisStoreOptions {
  /**
   * Replicas that must hold new jobs before an insert returns (Redis `WAIT`), so that a
   * failover cannot lose an acknowledged job (default 1; 0: acknowledge once the primary
   * has them, as on a single Redis).
   */
  replicas?: number;
  /** How long an insert waits for those replicas before it fails (default 1,000 ms). */
  replicaTimeoutMs?: number;
}

/**
 * Connects to the Redis Cluster that the nodes at `urls` belong to (any of its nodes will
 * do; the client learns the rest). The prefix defaults to `{tq}` and must hold a hash tag:
 * tq's scripts touch several queues' keys at once (flows, groups, lookups by id), which a
 * Cluster allows only within one slot. Throws `StoreUnavailableError` when no node can be
 * reached, `RangeError` for a prefix without a hash tag.
 *
 * @example
 * ```ts ignore
 * const store = await openRedisClusterStore(
 *   ["redis://10.0.0.5:7000", "redis://10.0.0.6:7000", "redis://10.0.0.7:7000"],
 *   { prefix: "{shop}" },
 * );
 * ```
 */
export async function openRedisClusterStore(
  urls: readonly string[],
  options: RedisClusterStoreOptions = {},
): Promise<Store> {
  const prefix = checkedPrefix(options.prefix ?? DEFAULT_CLUSTER_PREFIX);
  if (!hasHashTag(prefix)) {
    throw new RangeError(
      `Redis key prefix "${prefix}" has no {hash tag}: on a Redis Cluster all of tq's keys ` +
        `must share one slot (a flow, a group or an insert writes several queues in one ` +
        `script), so use "{${prefix}}"`,
    );
  }
  const replicas = options.replicas ?? 1;
  const timeoutMs = options.replicaTimeoutMs ?? 1_000;
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > 16) {
    throw new RangeError(
      `replicas to wait for must be a whole number from 0 to 16; got ${replicas}`,
    );
  }
  const tls = (await Promise.all(urls.map((url) => tlsOptions(url, options.caFile))))[0] ?? {};
  const cluster = withScripts(await openCluster(urls, tls));
  const keys = new RedisKeys(prefix);
  const clock = options.clock ?? systemClock;
  await migrate(cluster, keys, clock);
  const { nodes, options: subscriberOptions } = clusterOptions(urls, tls);
  const wakeUps = new WakeUps(() => new Cluster(nodes, subscriberOptions), keys.wake, clock);
  const replication = replicas > 0 ? { replicas, timeoutMs } : undefined;
  return new RedisStore(cluster, keys, wakeUps, {
    clock,
    report: options.onJobsWritten,
    replication,
  });
}

/**
 * A job a claim script answered, as it was queued before (`claimJob` undone): the claim
 * scripts change hash fields only and answer the claimed record, not the one they read.
 */
function unclaimed(job: Job): Job {
  const { startedAt: _startedAt, workerId: _workerId, leaseExpiresAt: _lease, ...queued } = job;
  return { ...queued, state: "queued", attempts: job.attempts - 1, version: job.version - 1 };
}

/** `prefix` if it is a valid key prefix, else a `RangeError`. */
function checkedPrefix(prefix: string): string {
  // One optional {hash tag} (for Redis Cluster: every key in its slot, see keys.ts).
  if (!/^[\w.:-]*(\{[\w.:-]+\})?[\w.:-]*$/.test(prefix) || !/^.{1,64}$/.test(prefix)) {
    throw new RangeError(
      `Redis key prefix "${prefix}" must be 1-64 of A-Z a-z 0-9 _ . : -, with at most one {tag}`,
    );
  }
  return prefix;
}

/**
 * Answers by which Redis says it cannot serve the command now: a cluster without a primary
 * for the slot yet (`CLUSTERDOWN`), a slot moving (`TRYAGAIN`, redirections left over after
 * a failover), a replica not yet a primary (`READONLY`), data still loading (`LOADING`).
 */
const TRANSIENT_REPLY = /^(CLUSTERDOWN|TRYAGAIN|MOVED|ASK|READONLY|LOADING|MASTERDOWN)\b/;

/**
 * Runs a Redis call; a failure that is not Redis's answer, or an answer that it cannot
 * serve the command now, means Redis is out of reach.
 */
async function reach<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const reply = error instanceof ReplyError ? (error as Error).message : undefined;
    if (reply !== undefined && TRANSIENT_REPLY.test(reply)) {
      throw new StoreUnavailableError(`Redis unavailable: ${reply}`);
    }
    if (error instanceof ReplyError || !(error instanceof Error)) throw error;
    if (error.name === "PayloadTooLargeError" || error instanceof RangeError) throw error;
    if (error instanceof InvalidInputError) throw error; // a parent that does not exist
    if (error instanceof StoreUnavailableError) throw error; // already says what failed
    throw new StoreUnavailableError(`Redis unreachable: ${error.message}`);
  }
}

/** `[id, …, n, field/value pairs]` of each job, as the scripts read them. */
function recordArgs(job: Job, ...before: string[]): string[] {
  const fields = encodeJob(job);
  return [job.id, ...before, String(fields.length / 2), ...fields];
}

class RedisStore implements Store {
  readonly maxJobBytes = MAX_JOB_BYTES;
  readonly maxInsertBatch = MAX_INSERT_BATCH;
  readonly maxCommitBytes: number;
  readonly maxClaimBatch = MAX_CLAIM_BATCH;
  /** Pipelined on the connection: Redis runs one insert while the next is encoded. */
  readonly insertsInFlight = 2;
  readonly #redis: ScriptedRedis;
  readonly #keys: RedisKeys;
  readonly #wakeUps: WakeUps;
  readonly #clock: Clock;
  readonly #records: RedisRecords;
  readonly #audit: RedisAudit;
  readonly #events: RedisEvents;

  /** Replicas that must hold new jobs before an insert returns (Cluster only). */
  readonly #replication: { replicas: number; timeoutMs: number } | undefined;

  /** The store's `onJobsWritten` listener, or one that does nothing. */
  readonly #report: JobsWrittenListener;

  constructor(
    redis: ScriptedRedis,
    keys: RedisKeys,
    wakeUps: WakeUps,
    { clock, report = () => {}, replication }: {
      clock: Clock;
      report?: JobsWrittenListener;
      replication?: { replicas: number; timeoutMs: number };
    },
  ) {
    this.#redis = redis;
    this.#replication = replication;
    this.#report = report;
    this.maxCommitBytes = replication ? MAX_REPLICATED_COMMIT_BYTES : MAX_COMMIT_BYTES;
    this.#records = new RedisRecords(redis, keys, clock);
    this.#audit = new RedisAudit(redis, keys);
    this.#events = new RedisEvents(redis, keys);
    this.#keys = keys;
    this.#wakeUps = wakeUps;
    this.#clock = clock;
  }

  jobBytes(job: Job): number {
    return jobBytes(job);
  }

  jobInsertMany({ jobs, bytes }: JobInsertParams): Promise<void> {
    const written = this.#insertMany(jobs, bytes);
    if (!this.#replication || jobs.length === 0) return written;
    const what = jobs.length === 1 ? `job ${jobs[0].id}` : `${jobs.length} jobs`;
    return written.then(() => this.#waitForReplicas(what));
  }

  #insertMany(jobs: Job[], bytes?: readonly number[]): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    jobs.forEach((job, i) => {
      const size = bytes?.[i] ?? jobBytes(job);
      if (size > MAX_JOB_BYTES) {
        throw new PayloadTooLargeError(size, MAX_JOB_BYTES, `job ${job.id}`);
      }
    });
    if (jobs.length > MAX_INSERT_BATCH) {
      throw new RangeError(`at most ${MAX_INSERT_BATCH} jobs per insert; got ${jobs.length}`);
    }
    refuseLinked(jobs);
    const keys = this.#keys;
    const calls = [...Map.groupBy(jobs, (job) => job.queue)].map(([queue, group]) =>
      [
        keys.queue(queue),
        keys.queues,
        keys.wake,
        queue,
        String(group.length),
        ...group.flatMap((job) => recordArgs(job)),
      ] as const
    );
    // One script per queue, each writing its jobs and the queue list. A batch
    // of one queue (the usual case) is that script alone; several queues go in one MULTI,
    // atomic on one Redis (and on a Cluster, where the {tag} prefix keeps them in one slot).
    const write = async () => {
      if (calls.length === 1) {
        const [queueKey, ...args] = calls[0];
        return void await this.#redis.tqInsertJobs(queueKey, ...args);
      }
      const multi = this.#redis.multi();
      for (const [queueKey, ...args] of calls) {
        (multi as unknown as TqScriptsChain).tqInsertJobs(queueKey, ...args);
      }
      await execPipeline(multi);
    };
    return reach(async () => {
      try {
        await write();
      } catch (error) {
        if (!await this.#insertedBefore(error, jobs)) throw error;
      }
      this.#report(jobs.map((after) => ({ before: null, after })));
    });
  }

  /**
   * Whether `error` is the insert script's "exists <id>" because an earlier attempt of this
   * very insert was written: ioredis sends a command again when the connection drops before
   * its answer (a restart, a failover), and the first attempt may have run. The ids are new
   * ULIDs, so records under all of them with the same task and creation time are that
   * attempt's.
   */
  async #insertedBefore(error: unknown, jobs: Job[]): Promise<boolean> {
    if (!(error instanceof ReplyError) || !/^exists /.test((error as Error).message)) return false;
    const stored = await locateJobs(this.#redis, this.#keys, jobs.map((job) => job.id));
    return jobs.every((job, i) =>
      stored[i]?.createdAt === job.createdAt && stored[i]?.task === job.task
    );
  }

  /**
   * Waits until the replicas asked for hold every write this client sent the primary of
   * tq's slot so far (Redis `WAIT`, sent on that primary's connection after a read of a key
   * in the slot); `StoreUnavailableError` if too few confirm in time. Replication is
   * asynchronous: without this, a primary that fails right after an insert takes the new
   * jobs with it, and its replica, promoted, never had them. (Should the primary fail
   * between the insert's answer and `WAIT`, `WAIT` goes to the promoted replica on a new
   * connection and counts only its replicas: with one replica per primary that is none, so
   * the insert is refused; with more, wait for all of them.)
   */
  async #waitForReplicas(what: string): Promise<void> {
    const { replicas, timeoutMs } = this.#replication!;
    const [, confirmed] = await reach(() =>
      execPipeline(this.#redis.pipeline().exists(this.#keys.queues).wait(replicas, timeoutMs))
    );
    if ((confirmed as number) < replicas) {
      throw new StoreUnavailableError(
        `${what} written, but ${confirmed} of ${replicas} replica(s) confirmed it within ` +
          `${timeoutMs} ms: a failover now could lose it (is a replica down?)`,
      );
    }
  }

  jobClaimCapped(params: CappedClaimParams): Promise<CappedClaim> {
    return reach(async () => {
      const claim = await claimCapped(this.#redis, this.#keys, params);
      this.#reportClaimed(claim.jobs);
      return claim;
    });
  }

  jobClaim(params: JobClaimParams): Promise<Job[]> {
    const { queues, workerId, limit, leaseMs, now } = params;
    return reach(async () => {
      // One script over every queue: later queues only for what earlier ones lacked.
      const replies = await this.#redis.tqClaimJobs(
        queues.length,
        ...queues.map((queue) => this.#keys.queue(queue)),
        String(limit),
        workerId,
        String(now),
        String(now + leaseMs),
      );
      const claimed = queues.flatMap((queue, i) =>
        replies[i].map((reply) => decodeClaimed(reply, queue))
      );
      return this.#reportClaimed(claimed);
    });
  }

  /** Reports claimed jobs, each from the record it was when queued (what the script read). */
  #reportClaimed(claimed: Job[]): Job[] {
    if (claimed.length > 0) {
      this.#report(claimed.map((after) => ({ before: unclaimed(after), after })));
    }
    return claimed;
  }

  jobUpdateMany({ updates }: { updates: JobUpdate[] }): Promise<JobUpdateResult> {
    for (const { before, after } of updates) {
      if (before.queue !== after.queue || before.id !== after.id) {
        throw new RangeError(`job ${before.id}: an update cannot change a job's id or queue`);
      }
    }
    refuseSettling(updates);
    return reach(async () => {
      const written = new Set<string>();
      const calls = [...Map.groupBy(updates, (u) => u.before.queue)].flatMap(([queue, group]) => {
        const chunks: JobUpdate[][] = [];
        for (let i = 0; i < group.length; i += UPDATES_PER_SCRIPT) {
          chunks.push(group.slice(i, i + UPDATES_PER_SCRIPT));
        }
        return chunks.map(async (chunk) => {
          // `[id, version read, changes]` of each job, appended to one array.
          const args = [this.#keys.wake, queue, String(chunk.length)];
          for (const { before, after } of chunk) {
            args.push(after.id, String(before.version));
            pushChanges(args, before, after);
          }
          const flags = await this.#redis.tqUpdateJobs(this.#keys.queue(queue), ...args);
          const applied = chunk.filter((_, i) => flags[i] === 1);
          for (const { before } of applied) written.add(before.id);
          if (applied.length > 0) this.#report(applied);
        });
      });
      await Promise.all(calls);
      const result: JobUpdateResult = { applied: [], conflicted: [] };
      for (const { before } of updates) {
        (written.has(before.id) ? result.applied : result.conflicted).push(before.id);
      }
      return result;
    });
  }

  jobDelete({ job, dependants }: { job: Job; dependants?: JobUpdate[] }): Promise<boolean> {
    return reach(async () => {
      const keys = this.#keys;
      if (dependants?.length) {
        const writes = [{ before: job, after: null }, ...dependants];
        if (!await writeLinked(this.#redis, keys, writes)) return false;
        this.#report(writes);
        return true;
      }
      const deleted = await this.#redis.tqDeleteJob(
        keys.queue(job.queue),
        job.id,
        String(job.version),
      );
      if (deleted === 1) this.#report([{ before: job, after: null }]);
      return deleted === 1;
    });
  }

  async jobDeleteMany({ jobs }: { jobs: Job[] }): Promise<string[]> {
    // One script per job; sent together, ioredis pipelines them on the connection.
    const deleted = await Promise.all(jobs.map((job) => this.jobDelete({ job })));
    return jobs.filter((_, i) => deleted[i]).map((job) => job.id);
  }

  async jobGet(id: string): Promise<Job | null> {
    const [job] = await this.jobGetMany([id]);
    return job;
  }

  jobGetMany(ids: string[]): Promise<(Job | null)[]> {
    return reach(() => locateJobs(this.#redis, this.#keys, ids));
  }

  jobList(params: JobListParams): Promise<JobPage> {
    return reach(() => listJobs(this.#redis, this.#keys, params));
  }

  jobListDue({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    return this.#jobsIndexedBefore("sched", now, limit);
  }

  jobNextRunAt(): Promise<number | null> {
    return reach(async () => {
      const [first] = await earliest(this.#redis, this.#keys, "sched", "+inf", 1);
      return first ? first.score : null;
    });
  }

  jobListWaiting(params: WaitingListParams): Promise<Job[]> {
    return reach(() => this.#events.jobListWaiting(params));
  }

  jobListLeaseExpired({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    return this.#jobsIndexedBefore("lease", now, limit);
  }

  jobListExpired({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    return this.#jobsIndexedBefore("exp", now, limit);
  }

  jobListCallbackDue({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    return this.#jobsIndexedBefore("callback", now, limit);
  }

  queueCounts(): Promise<QueueCounts[]> {
    return reach(async () => {
      const queues = await knownQueues(this.#redis, this.#keys);
      const pipeline = this.#redis.pipeline();
      for (const queue of queues) pipeline.hgetall(this.#keys.counts(queue));
      const hashes = await execPipeline(pipeline) as Record<string, string>[];
      return queues.flatMap((name, i) => {
        if (Object.keys(hashes[i]).length === 0) return []; // its insert never happened
        const counts = {
          name,
          ...Object.fromEntries(JOB_STATES.map((state) => [state, 0])),
        } as QueueCounts;
        for (const [state, n] of Object.entries(hashes[i])) counts[state as JobState] = Number(n);
        return [counts];
      });
    });
  }

  queueOldestReady({ queues }: { queues: string[] }): Promise<(number | null)[]> {
    return reach(async () => {
      if (queues.length === 0) return [];
      const pipeline = this.#redis.pipeline();
      for (const queue of queues) {
        (pipeline as unknown as TqScriptsChain).tqOldestReady(this.#keys.queue(queue));
      }
      return await execPipeline(pipeline) as (number | null)[];
    });
  }

  workWait(
    params: { queues: string[]; timeoutMs: number; signal?: AbortSignal; since?: number },
  ): Promise<number> {
    return this.#wakeUps.wait(params);
  }

  workNotify({ queues }: { queues: string[] }): Promise<void> {
    return reach(async () => {
      const pipeline = this.#redis.pipeline();
      for (const queue of queues) pipeline.publish(this.#keys.wake, queue);
      await execPipeline(pipeline);
    });
  }

  recordPut(params: Records.RecordPutParams): Promise<boolean> {
    return reach(() => this.#records.put(params));
  }

  async recordCommit(params: Records.RecordCommitParams): Promise<boolean> {
    Records.checkCommitJobs(params, this);
    const written = await reach(() => this.#records.commit(params));
    if (written) {
      const { jobs = [], updates = [] } = params;
      const changes = [...jobs.map((after) => ({ before: null, after })), ...updates];
      if (changes.length > 0) this.#report(changes);
    }
    if (written && this.#replication) await this.#waitForReplicas("a record commit");
    return written;
  }

  recordGet(address: Records.RecordAddress): Promise<Records.RecordRead | null> {
    return reach(() => this.#records.get(address));
  }

  recordDelete(address: Records.RecordAddress): Promise<void> {
    return reach(() => this.#records.delete(address));
  }

  recordList(params: Records.RecordListParams): Promise<Records.StoredRecord[]> {
    return reach(() => this.#records.list(params));
  }

  batchCounts(params: { id: string; queues: string[] }): Promise<BatchCounts> {
    return reach(() => batchCountsRead(this.#redis, this.#keys, params));
  }

  indexAudit(params: { limit: number }): Promise<IndexProblem[]> {
    return reach(() => this.#audit.indexAudit(params));
  }

  indexRepair(params: { problem: IndexProblem }): Promise<boolean> {
    return reach(async () => {
      const repaired = await this.#audit.indexRepair(params);
      if (repaired && params.problem.kind === "record_unindexed") {
        await this.#redis.publish(
          this.#keys.wake,
          (params.problem.entry as { queue: string }).queue,
        );
      }
      return repaired;
    });
  }

  batchCountsFix(params: BatchCountsFixParams): Promise<boolean> {
    return reach(() => this.#audit.batchCountsFix(params));
  }

  queueCountsFix(params: QueueCountsFixParams): Promise<boolean> {
    return reach(() => this.#audit.queueCountsFix(params));
  }

  ping(): Promise<void> {
    const write = () => this.#redis.set(this.#keys.ping, String(this.#clock.now()));
    return pingWrite("Redis", write, { timeoutMs: PING_TIMEOUT_MS, clock: this.#clock });
  }

  close(): void {
    this.#wakeUps.close();
    this.#redis.disconnect();
  }

  #jobsIndexedBefore(index: TimeIndex, now: number, limit: number) {
    return reach(async () => {
      const refs = await earliest(this.#redis, this.#keys, index, now, limit);
      return stillDue(await readJobs(this.#redis, this.#keys, refs), index, now);
    });
  }
}
