/**
 * The Redis store's idempotency keys (`../idempotency.ts`): `prefix:idem:<key>`, a string
 * `<expiresAt>:<jobId>` that Redis expires with the key's TTL. An insert is one script
 * (`scripts/insert_idempotent.lua.ts`) that checks the key and writes the job together.
 *
 * @example
 * ```ts ignore
 * const keys = new RedisIdempotency(redis, redisKeys, (id) => store.jobGet(id));
 * const { created } = await keys.insert({ job, key: "order-42", ttlMs: 86_400_000 });
 * ```
 * @module
 */
import { StoreUnavailableError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import { statDeltas } from "../../metrics/stat_deltas.ts";
import type { IdempotentInsertParams, IdempotentInsertResult } from "../idempotency.ts";
import type { RedisKeys } from "./keys.ts";
import { encodeJob } from "./record.ts";
import type { ScriptedRedis } from "./scripts/mod.ts";
import { statArgs } from "./telemetry.ts";

/** Tries again this many times when the held job vanishes between the script and the read. */
const ATTEMPTS = 5;

/** Idempotent inserts on Redis. */
export class RedisIdempotency {
  readonly #redis: ScriptedRedis;
  readonly #keys: RedisKeys;
  readonly #jobGet: (id: string) => Promise<Job | null>;

  constructor(
    redis: ScriptedRedis,
    keys: RedisKeys,
    jobGet: (id: string) => Promise<Job | null>,
  ) {
    this.#redis = redis;
    this.#keys = keys;
    this.#jobGet = jobGet;
  }

  /** Inserts `job` unless `key` holds; answers the job the key stands for. */
  async insert({ job, key, ttlMs }: IdempotentInsertParams): Promise<IdempotentInsertResult> {
    const fields = encodeJob(job);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const [created, id] = await this.#redis.tqInsertIdempotent(
        this.#keys.queue(job.queue),
        `${this.#keys.prefix}:idem:${key}`,
        this.#keys.queues,
        this.#keys.wake,
        job.queue,
        String(job.createdAt),
        String(job.createdAt + ttlMs),
        String(ttlMs),
        ...this.#keys.queueAffixes,
        job.id,
        String(fields.length / 2),
        ...fields,
        ...statArgs(statDeltas(null, job)),
      );
      if (created === 1) return { job, created: true };
      const held = await this.#jobGet(id);
      if (held) return { job: held, created: false };
    }
    throw new StoreUnavailableError(`idempotency key "${key}" kept changing; try again`);
  }
}
