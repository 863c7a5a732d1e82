/**
 * A store with dependencies, ordered groups and concurrency keys written above it:
 * `withLinks(store)` answers the same store, but its inserts of jobs with `dependsOn` link
 * them to their parents, those of jobs with a group or concurrency key chain them into the
 * key's lanes (`src/guards/group_writes.ts`), and its updates that settle a job with
 * dependants take them along (`linked_writes.ts`), all over `jobGetMany`, `recordGet` and
 * `recordCommit`. Every other call goes to the store unchanged, so a plain enqueue or the
 * settling of a job without dependants costs what it did. `connect()` applies it, so every
 * caller (the worker's completer, maintenance, job actions, steps, callbacks) settles
 * through it; a bare store refuses what it cannot write alone (`RangeError`).
 *
 * @example
 * ```ts ignore
 * const store = withLinks(await openStoreAt(location));
 * await store.jobInsertMany({ jobs: [parent, child] }); // child linked to parent
 * ```
 * @module
 */
import type { Job } from "../job.ts";
import type { JobUpdate, JobUpdateResult, Store } from "../store/store.ts";
import { settlesDependants } from "../transitions/mod.ts";
import { insertLinked, settleWithDependants } from "./linked_writes.ts";
import { chainKeyOf } from "../guards/group.ts";
import { type ChainWriter, insertChained } from "../guards/group_writes.ts";

const LINKED = Symbol("tq.linked");

/** Inserts `jobs` through `writer` if one is linked or chained; null (nothing done) if none is. */
async function insertLinkedOrChained(writer: ChainWriter, jobs: Job[]): Promise<Job[] | null> {
  if (jobs.some((job) => chainKeyOf(job) !== undefined)) return await insertChained(writer, jobs);
  if (jobs.some((job) => job.dependsOn !== undefined)) return await insertLinked(writer, jobs);
  return null;
}

/**
 * `store` with dependencies, flows, ordered groups and concurrency keys written over its
 * primitives; the same object back if it already has them.
 *
 * @example
 * ```ts ignore
 * const store = withLinks(await openKvStore(path));
 * ```
 */
export function withLinks(store: Store): Store {
  if ((store as { [LINKED]?: true })[LINKED]) return store;
  const own: Partial<Store> & { [LINKED]: true } = {
    [LINKED]: true,
    async jobInsertMany({ jobs, bytes }) {
      if (!await insertLinkedOrChained(store, jobs)) await store.jobInsertMany({ jobs, bytes });
    },
    jobUpdateMany: ({ updates }) => updateMany(store, updates),
  };
  // The store's own methods, bound once: the hot path (claims, plain updates) pays no more.
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      if (Object.hasOwn(own, property)) return own[property as keyof typeof own];
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function" || property === "constructor") return value;
      if (!bound.has(property)) bound.set(property, value.bind(target));
      return bound.get(property);
    },
    // A method replaced on the wrapped store (a test counting calls, say) replaces the
    // wrapper's: set on the store itself, the wrapper's own calls into it would reach it too,
    // and a replacement that calls the wrapper's method back would loop.
    set(_target, property, value) {
      (own as Record<PropertyKey, unknown>)[property] = value;
      return true;
    },
  });
}

/**
 * Writes new jobs inside the caller's `transaction` (`Store.within`, which `store` must
 * have): linked to parents, chained into lanes or plain, as `jobInsertMany` writes them.
 * Answers the records written.
 *
 * @example
 * ```ts ignore
 * await sql.begin(async (tx) => await insertWithin(store, [job], tx));
 * ```
 */
export async function insertWithin(
  store: Store,
  jobs: Job[],
  transaction: unknown,
): Promise<Job[]> {
  const view = store.within!(transaction);
  const linked = await insertLinkedOrChained({
    ...view,
    maxJobBytes: store.maxJobBytes,
    maxInsertBatch: store.maxInsertBatch,
    maxCommitBytes: store.maxCommitBytes,
    jobBytes: (job) => store.jobBytes(job),
  }, jobs);
  if (linked) return linked;
  await view.recordCommit({ jobs });
  return jobs;
}

/** The plain updates in one store call, then each settling one with its dependants. */
async function updateMany(store: Store, updates: JobUpdate[]): Promise<JobUpdateResult> {
  const settling = updates.filter((u) => settlesDependants(u.before, u.after));
  if (settling.length === 0) return await store.jobUpdateMany({ updates });
  const plain = updates.filter((u) => !settling.includes(u));
  const result = plain.length > 0
    ? await store.jobUpdateMany({ updates: plain })
    : { applied: [], conflicted: [] };
  for (const update of settling) {
    const written = await settleWithDependants(store, update);
    (written ? result.applied : result.conflicted).push(update.before.id);
  }
  return result;
}
