/**
 * The Redis store's schedule records (`../schedules.ts`): one hash per schedule,
 * `prefix:schedule:<name>`, with `paused` ("1"/"0"), `lastTickAt`, `lastRunAt` and
 * `lastJobId`. A run is one script (`scripts/schedule_run.lua.ts`).
 *
 * @example
 * ```ts ignore
 * const schedules = new RedisSchedules(redis, keys, 8 * 1024 * 1024);
 * await schedules.schedulePause({ name: "nightly", paused: true });
 * ```
 * @module
 */
import { PayloadTooLargeError } from "../../errors.ts";
import { statDeltas } from "../../metrics/stat_deltas.ts";
import type { ScheduleRecord, ScheduleRunOutcome, ScheduleRunParams } from "../schedules.ts";
import type { RedisKeys } from "./keys.ts";
import { encodeJob, jobBytes } from "./record.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";
import { statArgs } from "./telemetry.ts";

/** Schedule runs and records on Redis. */
export class RedisSchedules {
  readonly #redis: ScriptedRedis;
  readonly #keys: RedisKeys;

  /** The store's largest record (`maxJobBytes`). */
  readonly #maxJobBytes: number;

  constructor(redis: ScriptedRedis, keys: RedisKeys, maxJobBytes: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#maxJobBytes = maxJobBytes;
  }

  #key(name: string): string {
    return `${this.#keys.prefix}:schedule:${name}`;
  }

  async scheduleRun({ name, job, tickAt }: ScheduleRunParams): Promise<ScheduleRunOutcome> {
    const bytes = jobBytes(job);
    if (bytes > this.#maxJobBytes) {
      throw new PayloadTooLargeError(bytes, this.#maxJobBytes, `job ${job.id}`);
    }
    const fields = encodeJob(job);
    return await this.#redis.tqScheduleRun(
      this.#keys.queue(job.queue),
      this.#key(name),
      this.#keys.queues,
      this.#keys.wake,
      job.queue,
      tickAt === undefined ? "" : String(tickAt),
      String(job.createdAt),
      job.id,
      String(fields.length / 2),
      ...fields,
      ...statArgs(statDeltas(null, job)),
    ) as ScheduleRunOutcome;
  }

  async scheduleGetMany({ names }: { names: string[] }): Promise<ScheduleRecord[]> {
    const pipeline = this.#redis.pipeline();
    for (const name of names) pipeline.hgetall(this.#key(name));
    const replies = (await pipeline.exec()) ?? [];
    return names.map((name, i) => {
      const [error, hash] = replies[i] as [Error | null, Record<string, string>];
      if (error) throw error;
      const record: ScheduleRecord = { name, paused: hash.paused === "1" };
      if (hash.lastTickAt) record.lastTickAt = Number(hash.lastTickAt);
      if (hash.lastRunAt) record.lastRunAt = Number(hash.lastRunAt);
      if (hash.lastJobId) record.lastJobId = hash.lastJobId;
      return record;
    });
  }

  async schedulePause({ name, paused }: { name: string; paused: boolean }): Promise<void> {
    await this.#redis.hset(this.#key(name), "paused", paused ? "1" : "0");
  }
}
