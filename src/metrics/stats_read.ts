/**
 * Every process's job statistics, summed from their records (`stat_records.ts`): the folded
 * totals, the minute records not folded yet, and the ended-per-minute counts from `since`
 * on (at most {@linkcode MINUTES_KEPT_MS} back). What `/metrics`, the dashboard and
 * `tq stats` read. Counts a process has not flushed yet (at most a second's) are not in it:
 * a reader in that process flushes first (`StatsFlusher.flush`).
 *
 * @example
 * ```ts ignore
 * const stats = await readStats(store, { since: now - 3_600_000, now });
 * ```
 * @module
 */
import type { Store } from "../store/store.ts";
import type { StoredRecord } from "../store/records.ts";
import { MINUTE_MS, type StatEntry } from "./stat_deltas.ts";
import { endedFrom, MINUTES_KEPT_MS, STAT_SPACE, StatSums } from "./stat_records.ts";

/** Records read per page. */
const PAGE = 1_000;

/** The store primitive statistics are read with. */
export type StatReadStore = Pick<Store, "recordList">;

async function* listAll(
  store: StatReadStore,
  prefix: string,
  from?: string,
): AsyncGenerator<StoredRecord> {
  for (;;) {
    const page = await store.recordList({ space: STAT_SPACE, prefix, from, limit: PAGE });
    yield* page;
    if (page.length < PAGE) return;
    from = page.at(-1)!.key + "\u0000";
  }
}

/**
 * Every statistic, with `["minute", m, …]` counts from `since` on.
 *
 * @example
 * ```ts ignore
 * const stats = await readStats(store, { since: Date.now(), now: Date.now() });
 * ```
 */
export async function readStats(
  store: StatReadStore,
  { since, now }: { since: number; now: number },
): Promise<StatEntry[]> {
  const sums = new StatSums();
  const firstMinute = Math.floor(Math.max(since, now - MINUTES_KEPT_MS) / MINUTE_MS);
  const parts = [
    listAll(store, "t/"),
    listAll(store, "m/"),
    listAll(store, "e/", endedFrom(firstMinute)),
  ];
  for (const records of parts) {
    for await (const record of records) sums.addStored(record.value);
  }
  return sums.entries();
}
