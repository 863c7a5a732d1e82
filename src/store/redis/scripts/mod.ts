/**
 * The store's Lua scripts as commands of an ioredis client. ioredis runs them by SHA and
 * sends the text again when Redis answers NOSCRIPT (after a restart, say), also inside
 * pipelines and MULTI.
 *
 * @example
 * ```ts ignore
 * const redis = withScripts(new Redis(url));
 * const flags = await redis.tqUpdateJobs(keys.queue("mail"), keys.wake, "mail", "0");
 * ```
 * @module
 */
import type { ChainableCommander } from "ioredis";
import type { RedisClient } from "../connection.ts";
import { CLAIM_JOBS } from "./claim_jobs.lua.ts";
import { CLAIM_CAPPED } from "./claim_capped.lua.ts";
import { DELETE_JOB } from "./delete_job.lua.ts";
import { FIFO_SPLIT } from "./fifo_split.lua.ts";
import { INSERT_JOBS } from "./insert_jobs.lua.ts";
import { LOCATE_JOBS } from "./locate_jobs.lua.ts";
import { UPDATE_JOBS } from "./update_jobs.lua.ts";
import { WRITE_LINKED } from "./write_linked.lua.ts";
import { REPAIR_INDEX } from "./repair_index.lua.ts";
import { BATCH_COUNTS_FIX } from "./batch_counts_fix.lua.ts";
import { OLDEST_READY } from "./oldest_ready.lua.ts";
import { RECORD_COMMIT } from "./record_commit.lua.ts";

/**
 * The scripts as typed commands; every one takes the queue's key prefix first, but
 * `tqClaimJobs`, which takes how many queues and then their prefixes.
 */
export interface TqScripts {
  tqInsertJobs(queueKey: string, ...args: string[]): Promise<number>;
  /** Per queue, in the order of the keys: per claimed job, its id and flat `HGETALL`. */
  tqClaimJobs(queueCount: number, ...keysAndArgs: string[]): Promise<[string, string[]][][]>;
  /**
   * Per queue, in the order of the keys: per claimed job, its id and flat `HGETALL`; the tasks
   * whose caps held jobs back; per queue, 1 if its cap held a job back.
   */
  tqClaimCapped(
    queueCount: number,
    ...keysAndArgs: string[]
  ): Promise<[[string, string[]][][], string[], number[]]>;
  tqUpdateJobs(queueKey: string, ...args: string[]): Promise<number[]>;
  tqDeleteJob(queueKey: string, ...args: string[]): Promise<number>;
  /** Takes the set of queues as its key: its records span queues (`write_linked.lua.ts`). */
  tqWriteLinked(queuesKey: string, ...args: string[]): Promise<number>;
  tqRepairIndex(queueKey: string, ...args: string[]): Promise<number>;
  /** Takes no key: the batch's hashes are in its arguments. */
  tqBatchCountsFix(...args: string[]): Promise<number>;
  tqOldestReady(queueKey: string): Promise<number | null>;
  /** Takes how many keys, then the keys (the set of queues first), then the arguments. */
  tqRecordCommit(keyCount: number, ...keysAndArgs: string[]): Promise<number>;
  /** Takes the set of queues as its key: it looks for each id in every queue. */
  tqLocateJobs(queuesKey: string, ...args: string[]): Promise<(string | null)[]>;
  tqFifoSplit(queueKey: string, from: string, chunk: string): Promise<number>;
}

/** The same commands inside a pipeline or MULTI. */
export interface TqScriptsChain {
  tqInsertJobs(queueKey: string, ...args: string[]): ChainableCommander;
  tqOldestReady(queueKey: string): ChainableCommander;
}

/** A client with the scripts defined. */
export type ScriptedRedis = RedisClient & TqScripts;

/**
 * Defines the scripts on `redis` and returns it, typed.
 *
 * @example
 * ```ts ignore
 * const redis = withScripts(new Redis("redis://127.0.0.1:6379"));
 * ```
 */
export function withScripts(redis: RedisClient): ScriptedRedis {
  const scripts = {
    tqInsertJobs: INSERT_JOBS,
    tqClaimJobs: CLAIM_JOBS,
    tqClaimCapped: CLAIM_CAPPED,
    tqUpdateJobs: UPDATE_JOBS,
    tqDeleteJob: DELETE_JOB,
    tqWriteLinked: WRITE_LINKED,
    tqRepairIndex: REPAIR_INDEX,
    tqBatchCountsFix: BATCH_COUNTS_FIX,
    tqOldestReady: OLDEST_READY,
    tqRecordCommit: RECORD_COMMIT,
    tqLocateJobs: LOCATE_JOBS,
    tqFifoSplit: FIFO_SPLIT,
  };
  for (const [name, { keys, lua }] of Object.entries(scripts)) {
    redis.defineCommand(name, { numberOfKeys: keys, lua });
  }
  return redis as ScriptedRedis;
}
