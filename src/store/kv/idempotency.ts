/**
 * The KV store's idempotency keys (`../idempotency.ts`): `["idem", key]` holds an
 * `IdempotencyRecord`. An insert reads the record; while it holds and its job exists, that
 * job is the answer. Otherwise the job is written in one commit with the record, checked
 * against the versionstamp read (`null`: the key must not exist), so of concurrent repeats
 * exactly one commits and the others read again and find its job.
 *
 * @example
 * ```ts ignore
 * const keys = new KvIdempotency(kv);
 * const { job, created } = await keys.insert({ job: prepared, key: "order-42", ttlMs: 86_400_000 });
 * ```
 * @module
 */
import { StoreUnavailableError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import type {
  IdempotencyRecord,
  IdempotentInsertParams,
  IdempotentInsertResult,
} from "../idempotency.ts";
import { jobKey } from "./keys.ts";
import { WriteBatch } from "./write_batch.ts";

const idemKey = (key: string): Deno.KvKey => ["idem", key];

/** Reads and retries a contended key this many times. */
const ATTEMPTS = 20;

/** Idempotent inserts on a KV file. */
export class KvIdempotency {
  readonly #kv: Deno.Kv;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** Inserts `job` unless `key` holds; `onInsert` runs after a written insert. */
  async insert(
    { job, key, ttlMs }: IdempotentInsertParams,
    onInsert: (job: Job) => void,
  ): Promise<IdempotentInsertResult> {
    const record: IdempotencyRecord = { jobId: job.id, expiresAt: job.createdAt + ttlMs };
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const entry = await this.#kv.get<IdempotencyRecord>(idemKey(key));
      if (entry.value && entry.value.expiresAt > job.createdAt) {
        const held = await this.#kv.get<Job>(jobKey(entry.value.jobId));
        if (held.value) return { job: held.value, created: false };
      }
      const { ok } = await new WriteBatch(this.#kv)
        .check(idemKey(key), entry.versionstamp)
        .set(idemKey(key), record, { expireIn: ttlMs })
        .change(null, job)
        .commit();
      if (ok) {
        onInsert(job);
        return { job, created: true };
      }
    }
    throw new StoreUnavailableError(`idempotency key "${key}" kept changing; try again`);
  }
}
