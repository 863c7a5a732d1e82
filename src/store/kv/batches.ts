/**
 * The KV store's batches (`../batches.ts`): `["batch", id]` holds the `BatchRecord`,
 * `["batch_open", id]` lists the batches not yet complete, and `["batch_count", id,
 * state]` counters are summed by `WriteBatch.change` in each job commit. Completion
 * commits the closed record, drops the open entry and inserts the `onComplete` job under
 * a check of the record's versionstamp: of two workers completing one batch, one commits.
 *
 * @example
 * ```ts ignore
 * const batches = new KvBatches(kv);
 * const status = await batches.batchGet({ id });
 * ```
 * @module
 */
import { StoreUnavailableError } from "../../errors.ts";
import type { JobState } from "../../job.ts";
import {
  type BatchCompleteParams,
  type BatchRecord,
  type BatchStatus,
  emptyBatchCounts,
} from "../batches.ts";
import { WriteBatch } from "./write_batch.ts";

const batchKey = (id: string): Deno.KvKey => ["batch", id];
const openKey = (id: string): Deno.KvKey => ["batch_open", id];

/** How long a completed batch's record is kept. */
const COMPLETED_TTL_MS = 7 * 86_400_000;
/** Reads and retries a contended completion this many times. */
const ATTEMPTS = 10;

/** Batches on a KV file. */
export class KvBatches {
  readonly #kv: Deno.Kv;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  async batchCreate({ batch }: { batch: BatchRecord }): Promise<void> {
    await this.#kv.atomic().set(batchKey(batch.id), batch).set(openKey(batch.id), 0).commit();
  }

  async batchGet({ id }: { id: string }): Promise<BatchStatus | null> {
    const { value: batch } = await this.#kv.get<BatchRecord>(batchKey(id));
    if (!batch) return null;
    const counts = emptyBatchCounts();
    for await (const entry of this.#kv.list<Deno.KvU64>({ prefix: ["batch_count", id] })) {
      counts[entry.key[2] as JobState] = Number(BigInt.asIntN(64, entry.value.value));
    }
    return { batch, counts };
  }

  async batchListOpen({ limit }: { limit: number }): Promise<BatchStatus[]> {
    const statuses: BatchStatus[] = [];
    for await (const entry of this.#kv.list({ prefix: ["batch_open"] }, { limit })) {
      const status = await this.batchGet({ id: entry.key[1] as string });
      if (status) statuses.push(status);
    }
    return statuses;
  }

  async batchComplete({ id, now, job }: BatchCompleteParams): Promise<boolean> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const entry = await this.#kv.get<BatchRecord>(batchKey(id));
      if (!entry.value || entry.value.completedAt !== undefined) return false;
      const closed: BatchRecord = { ...entry.value, completedAt: now };
      if (job) closed.completionJobId = job.id;
      const commit = new WriteBatch(this.#kv)
        .check(batchKey(id), entry.versionstamp)
        .set(batchKey(id), closed, { expireIn: COMPLETED_TTL_MS })
        .delete(openKey(id));
      if (job) commit.change(null, job);
      if ((await commit.commit()).ok) return true;
    }
    throw new StoreUnavailableError(`batch "${id}" kept changing; try again`);
  }
}
