/**
 * One atomic KV commit of job changes. It adds each record with the index entries the
 * change implies (`keys.ts`) and sums each counter's change once per commit, however many
 * jobs moved: fewer mutations, so more jobs fit in one commit. Once committed, it tells the
 * store's `onJobsWritten` listener (`../store.ts`) of its job changes.
 *
 * @example
 * ```ts ignore
 * const batch = new WriteBatch(kv);
 * batch.change(null, job); // insert
 * await batch.commit();
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import type { JobChange, JobsWrittenListener } from "../store.ts";
import { countKey, indexDiff, indexEntries, jobKey } from "./keys.ts";
import { batchCountMoves } from "../batches.ts";
import { commitWhileLocked } from "./lock_retry.ts";

/**
 * The listener of each open KV database. Kept by database rather than passed to every
 * `WriteBatch`, so the modules that write jobs (claims, links, cascades) need nothing more
 * than the `Deno.Kv` they already get.
 */
const listeners = new WeakMap<Deno.Kv, JobsWrittenListener>();

/**
 * Makes every `WriteBatch` of `kv` tell `listener` of its job changes once committed.
 *
 * @example
 * ```ts ignore
 * reportJobsWritten(kv, (changes) => console.log(changes.length));
 * ```
 */
export function reportJobsWritten(kv: Deno.Kv, listener: JobsWrittenListener): void {
  listeners.set(kv, listener);
}

/** Job changes gathered into one atomic operation. */
export class WriteBatch {
  readonly #atomic: Deno.AtomicOperation;
  readonly #counts = new Map<string, { key: Deno.KvKey; delta: number }>();
  readonly #listener: JobsWrittenListener | undefined;
  readonly #changes: JobChange[] = [];

  constructor(kv: Deno.Kv) {
    this.#atomic = kv.atomic();
    this.#listener = listeners.get(kv);
  }

  /** The commit fails unless `key` is still at `versionstamp` (null: absent). */
  check(key: Deno.KvKey, versionstamp: string | null): this {
    this.#atomic.check({ key, versionstamp });
    return this;
  }

  /** Sets a key that is not a job's (a keyed record, say) in the same commit. */
  set(key: Deno.KvKey, value: unknown, options?: { expireIn?: number }): this {
    this.#atomic.set(key, value, options);
    return this;
  }

  /** Deletes a key that is not a job's in the same commit. */
  delete(key: Deno.KvKey): this {
    this.#atomic.delete(key);
    return this;
  }

  /** Takes a job from `before` to `after`; null stands for "no such job". */
  change(before: Job | null, after: Job | null): this {
    if (after) this.#atomic.set(jobKey(after.id), after);
    else if (before) this.#atomic.delete(jobKey(before.id));
    const { remove, add } = before && after ? indexDiff(before, after) : {
      remove: before ? indexEntries(before).map((e) => e.key) : [],
      add: after ? indexEntries(after) : [],
    };
    for (const key of remove) this.#atomic.delete(key);
    for (const entry of add) this.#atomic.set(entry.key, entry.value);
    if (before?.state !== after?.state || before?.queue !== after?.queue) {
      if (before) this.#count(countKey(before.queue, before.state), -1);
      if (after) this.#count(countKey(after.queue, after.state), 1);
    }
    // A bulk enqueue's batch counts its jobs per state (see ../batches.ts), likewise.
    if (batchCountMoves(before, after)) {
      const id = (after?.batchId ?? before?.batchId)!;
      if (before) this.#count(["batch_count", id, before.state], -1);
      if (after) this.#count(["batch_count", id, after.state], 1);
    }
    if (this.#listener) this.#changes.push({ before, after });
    return this;
  }

  /**
   * Adds the counter sums, commits, and reports the changes if committed. KV's `sum` wraps
   * at 2^64, which is how it subtracts.
   */
  async commit(): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
    for (const { key, delta } of this.#counts.values()) {
      if (delta !== 0) this.#atomic.sum(key, BigInt.asUintN(64, BigInt(delta)));
    }
    const result = await commitWhileLocked(this.#atomic);
    if (result.ok && this.#changes.length > 0) this.#listener!(this.#changes);
    return result;
  }

  #count(key: Deno.KvKey, delta: number): void {
    // A counter key holds names and numbers, each kind always in the same places, so the
    // joined parts tell counters apart (and cost a third of JSON.stringify, per job).
    const id = key.join("\u0000");
    const entry = this.#counts.get(id) ?? { key, delta: 0 };
    entry.delta += delta;
    this.#counts.set(id, entry);
  }
}
