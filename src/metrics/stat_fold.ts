/**
 * Folds old `m/` statistic records (`stat_records.ts`) into the `t/` totals of their queue
 * and task, so reading statistics reads a few minutes of records, not every minute ever.
 * Any process may fold; a lock record with a time limit lets one at a time, and each fold
 * commit holds only while its lock does (it checks the lock's version), so a record is
 * never added to a total twice. A record is folded once {@linkcode FOLD_AFTER_MINUTES} have
 * passed: its process writes it only within its own minute.
 *
 * @example
 * ```ts ignore
 * await foldStats(store, { now: Date.now(), owner: "process-1" });
 * ```
 * @module
 */
import type { Store } from "../store/store.ts";
import { MINUTE_MS } from "./stat_deltas.ts";
import {
  FOLD_LOCK_KEY,
  recordMinute,
  recordPair,
  STAT_SPACE,
  StatSums,
  totalRecordKey,
} from "./stat_records.ts";

/** Minutes an `m/` record stays as written before it is folded. */
export const FOLD_AFTER_MINUTES = 10;
/** How long the lock is held at most. */
const LOCK_MS = 60_000;
/** Records read per round of a fold. */
const FOLD_BATCH = 200;
/** Rounds per fold at most; a fold that found more goes on at the next. */
const FOLD_ROUNDS = 10;

/** The store primitives statistics are kept with. */
export type StatStore = Pick<
  Store,
  "recordGet" | "recordPut" | "recordList" | "recordCommit"
>;

interface FoldLock {
  owner: string;
  until: number;
}

/**
 * Folds records at least {@linkcode FOLD_AFTER_MINUTES} old into the totals, if no other
 * process holds the lock; answers how many were folded.
 *
 * @example
 * ```ts ignore
 * const folded = await foldStats(store, { now: clock.now(), owner: "p" });
 * ```
 */
export async function foldStats(
  store: StatStore,
  { now, owner }: { now: number; owner: string },
): Promise<number> {
  const lock = await store.recordGet({ space: STAT_SPACE, key: FOLD_LOCK_KEY });
  if (lock && (lock.value as FoldLock).until > now) return 0;
  const mine: FoldLock = { owner, until: now + LOCK_MS };
  const taken = await store.recordPut({
    space: STAT_SPACE,
    key: FOLD_LOCK_KEY,
    value: mine,
    ttlMs: LOCK_MS,
    ifVersion: lock?.version ?? null,
  });
  if (!taken) return 0;
  const held = await store.recordGet({ space: STAT_SPACE, key: FOLD_LOCK_KEY });
  const heldLock = held?.value as FoldLock | undefined;
  if (!held || heldLock?.owner !== owner || heldLock.until !== mine.until) return 0;
  const lockCheck = { space: STAT_SPACE, key: FOLD_LOCK_KEY, version: held.version };
  const lastMinute = Math.floor(now / MINUTE_MS) - FOLD_AFTER_MINUTES;
  let folded = 0;
  for (let round = 0; round < FOLD_ROUNDS; round++) {
    const listed = await store.recordList({ space: STAT_SPACE, prefix: "m/", limit: FOLD_BATCH });
    const due = listed.filter((record) => recordMinute(record.key) <= lastMinute);
    const byPair = Map.groupBy(due, (record) => recordPair(record.key));
    for (const [pair, records] of byPair) {
      const key = totalRecordKey(pair);
      const total = await store.recordGet({ space: STAT_SPACE, key });
      const sums = new StatSums().addStored(total?.value);
      for (const record of records) sums.addStored(record.value);
      const written = await store.recordCommit({
        checks: [lockCheck, { space: STAT_SPACE, key, version: total?.version ?? null }],
        puts: [{ space: STAT_SPACE, key, value: sums.stored() }],
        deletes: records.map((record) => ({ space: STAT_SPACE, key: record.key })),
      });
      if (!written) return folded; // The lock ran out and another process took it.
      folded += records.length;
    }
    if (due.length < FOLD_BATCH) break;
  }
  await store.recordCommit({
    checks: [lockCheck],
    deletes: [{ space: STAT_SPACE, key: FOLD_LOCK_KEY }],
  });
  return folded;
}
