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
import type { ChainableCommander, Redis } from "ioredis";
import { CLAIM_JOBS } from "./claim_jobs.lua.ts";
import { DELETE_JOB } from "./delete_job.lua.ts";
import { INSERT_JOBS } from "./insert_jobs.lua.ts";
import { SCHEDULE_RUN } from "./schedule_run.lua.ts";
import { UPDATE_JOBS } from "./update_jobs.lua.ts";

/** The scripts as typed commands; every one takes the queue's key prefix first. */
export interface TqScripts {
  tqInsertJobs(queueKey: string, ...args: string[]): Promise<number>;
  tqClaimJobs(queueKey: string, ...args: string[]): Promise<string[][]>;
  tqUpdateJobs(queueKey: string, ...args: string[]): Promise<number[]>;
  tqDeleteJob(queueKey: string, ...args: string[]): Promise<number>;
  tqScheduleRun(queueKey: string, ...args: string[]): Promise<string>;
}

/** The same commands inside a pipeline or MULTI. */
export interface TqScriptsChain {
  tqInsertJobs(queueKey: string, ...args: string[]): ChainableCommander;
}

/** A client with the scripts defined. */
export type ScriptedRedis = Redis & TqScripts;

/**
 * Defines the scripts on `redis` and returns it, typed.
 *
 * @example
 * ```ts ignore
 * const redis = withScripts(new Redis("redis://127.0.0.1:6379"));
 * ```
 */
export function withScripts(redis: Redis): ScriptedRedis {
  const scripts = {
    tqInsertJobs: INSERT_JOBS,
    tqClaimJobs: CLAIM_JOBS,
    tqUpdateJobs: UPDATE_JOBS,
    tqDeleteJob: DELETE_JOB,
    tqScheduleRun: SCHEDULE_RUN,
  };
  for (const [name, { keys, lua }] of Object.entries(scripts)) {
    redis.defineCommand(name, { numberOfKeys: keys, lua });
  }
  return redis as ScriptedRedis;
}
