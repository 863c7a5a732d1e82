/**
 * The Redis store's batches (`../batches.ts`): `prefix:batch:<id>` is a hash whose `r`
 * holds the `BatchRecord` as JSON (and `done` once closed), `prefix:batches:open` the set of
 * batches not yet complete. Counts live per queue, `{prefix:queue}:batch:<id>`, summed by
 * the scripts that move jobs (`batchCount` in `scripts/indexes.lua.ts`), and are added
 * up across the record's queues when read. Completion is one script
 * (`scripts/batch_complete.lua.ts`).
 *
 * @example
 * ```ts ignore
 * const batches = new RedisBatches(redis, keys);
 * const status = await batches.batchGet({ id });
 * ```
 * @module
 */
import type { JobState } from "../../job.ts";
import { statDeltas } from "../../metrics/stat_deltas.ts";
import {
  type BatchCompleteParams,
  type BatchRecord,
  type BatchStatus,
  emptyBatchCounts,
} from "../batches.ts";
import type { RedisKeys } from "./keys.ts";
import { execPipeline } from "./reads.ts";
import { encodeJob } from "./record.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";
import { statArgs } from "./telemetry.ts";

/** How long a completed batch's record is kept. */
const COMPLETED_TTL_MS = 7 * 86_400_000;

/** Batches on Redis. */
export class RedisBatches {
  readonly #redis: ScriptedRedis;
  readonly #keys: RedisKeys;

  constructor(redis: ScriptedRedis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  #key(id: string): string {
    return `${this.#keys.prefix}:batch:${id}`;
  }

  get #open(): string {
    return `${this.#keys.prefix}:batches:open`;
  }

  async batchCreate({ batch }: { batch: BatchRecord }): Promise<void> {
    await execPipeline(
      this.#redis.multi().hset(this.#key(batch.id), "r", JSON.stringify(batch))
        .sadd(this.#open, batch.id),
    );
  }

  async batchGet({ id }: { id: string }): Promise<BatchStatus | null> {
    const json = await this.#redis.hget(this.#key(id), "r");
    if (json === null) return null;
    const batch = JSON.parse(json) as BatchRecord;
    const pipeline = this.#redis.pipeline();
    for (const queue of batch.queues) pipeline.hgetall(`${this.#keys.queue(queue)}batch:${id}`);
    const hashes = await execPipeline(pipeline) as Record<string, string>[];
    const counts = emptyBatchCounts();
    for (const hash of hashes) {
      for (const [state, n] of Object.entries(hash)) counts[state as JobState] += Number(n);
    }
    return { batch, counts };
  }

  async batchListOpen({ limit }: { limit: number }): Promise<BatchStatus[]> {
    const ids = (await this.#redis.smembers(this.#open)).sort().slice(0, limit);
    const statuses = await Promise.all(ids.map((id) => this.batchGet({ id })));
    return statuses.filter((status): status is BatchStatus => status !== null);
  }

  async batchComplete({ id, now, job }: BatchCompleteParams): Promise<boolean> {
    const status = await this.batchGet({ id });
    if (!status || status.batch.completedAt !== undefined) return false;
    const closed: BatchRecord = { ...status.batch, completedAt: now };
    if (job) closed.completionJobId = job.id;
    const fields = job ? encodeJob(job) : [];
    const queue = job?.queue ?? status.batch.queues[0] ?? "default";
    const closedNow = await this.#redis.tqBatchComplete(
      this.#keys.queue(queue),
      this.#key(id),
      this.#open,
      this.#keys.queues,
      this.#keys.wake,
      queue,
      id,
      JSON.stringify(closed),
      String(COMPLETED_TTL_MS),
      ...(job
        ? ["1", job.id, String(fields.length / 2), ...fields, ...statArgs(statDeltas(null, job))]
        : ["0"]),
    );
    return closedNow === 1;
  }
}
