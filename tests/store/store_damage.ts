/**
 * How the doctor tests damage a store: by writing its internals directly, as a crash, a bug
 * or an operator with a Redis shell might, behind the store's back. Each store's test file
 * builds one (`kv_store_test.ts` opens a second handle on the same KV file and deletes or
 * sets keys of `src/store/kv/keys.ts`; `redis_store_test.ts` uses its own client on the
 * keys of `src/store/redis/keys.ts`). Damage that the store's own primitives can make (a
 * parent deleted without its dependants: `store.jobDelete`, which does not look at them)
 * is made through the store instead.
 *
 * @example
 * ```ts ignore
 * await damage.dropRecord(job); // its index entries stay behind
 * ```
 * @module
 */
import type { Job, JobState } from "../../src/job.ts";

/** Writes behind a store's back. */
export interface StoreDamage {
  /** Deletes a job's record and nothing else: its index entries stay. */
  dropRecord(job: Job): Promise<void>;
  /** Deletes every index entry of a job (and its listing entries), not its record. */
  dropIndexes(job: Job): Promise<void>;
  /** Writes the index entries `job` (an old version of a record, say) implies. */
  writeIndexes(job: Job): Promise<void>;
  /** Sets a batch's count of `state` (on Redis: in `queue`'s hash) to `n`. */
  setBatchCount(batchId: string, queue: string, state: JobState, n: number): Promise<void>;
  /** Releases what the damage opened. */
  close(): void;
}
