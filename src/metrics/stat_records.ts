/**
 * How job statistics are kept as keyed records (`../store/records.ts`), in space `stat`:
 *
 * | key | value | written by |
 * | --- | --- | --- |
 * | `m/<minute>/<process>/<queue, task>` | the sums one process counted for a queue and task in that minute | that process only, every second of the minute (`stats_flusher.ts`) |
 * | `e/<minute>/<process>` | the process's `["minute", m, …]` counts of jobs ended in minute `m`, kept two hours | that process only |
 * | `t/<queue, task>` | the sums of every folded `m/` record of the queue and task | the fold (`stat_fold.ts`), under its lock |
 * | `fold` | the fold's lock | the fold |
 *
 * Minutes are zero-padded so keys list in time order; `<queue, task>` is their JSON. One
 * writer per record means no write contends, and a record holds at most a few dozen sums.
 *
 * @example
 * ```ts
 * import { statRecordKey } from "./stat_records.ts";
 * const key = statRecordKey(["jobs", "started", "q", "t"], { minute: 5, process: "p" });
 * console.assert(key === 'm/0000000005/p/["q","t"]');
 * ```
 * @module
 */
import type { StatEntry, StatKey } from "./stat_deltas.ts";

/** The record space of statistics. */
export const STAT_SPACE = "stat";
/** How long ended-per-minute counts are kept: the dashboard charts the last hour. */
export const MINUTES_KEPT_MS = 2 * 3_600_000;
/** The key of the fold's lock. */
export const FOLD_LOCK_KEY = "fold";

/** A statistic sum as a record holds it: its key and value. */
export type StoredStat = [StatKey, number];

const minuteText = (minute: number) => String(minute).padStart(10, "0");

/**
 * The key of a process's `m/` record of `pair` (`[queue, task]` as JSON) in `minute`.
 *
 * @example
 * ```ts
 * import { minuteRecordKey } from "./stat_records.ts";
 * console.assert(minuteRecordKey(7, "p", '["q","t"]') === 'm/0000000007/p/["q","t"]');
 * ```
 */
export function minuteRecordKey(minute: number, process: string, pair: string): string {
  return `m/${minuteText(minute)}/${process}/${pair}`;
}

/**
 * The key of a process's `e/` record of jobs ended in `minute`.
 *
 * @example
 * ```ts
 * import { endedRecordKey } from "./stat_records.ts";
 * console.assert(endedRecordKey(7, "p") === "e/0000000007/p");
 * ```
 */
export function endedRecordKey(minute: number, process: string): string {
  return `e/${minuteText(minute)}/${process}`;
}

/**
 * The key of the folded sums of `pair`.
 *
 * @example
 * ```ts
 * import { totalRecordKey } from "./stat_records.ts";
 * console.assert(totalRecordKey('["q","t"]') === 't/["q","t"]');
 * ```
 */
export function totalRecordKey(pair: string): string {
  return `t/${pair}`;
}

/**
 * The first key of the `e/` records of `minute` and later, for a range read.
 *
 * @example
 * ```ts
 * import { endedFrom } from "./stat_records.ts";
 * console.assert(endedFrom(7) === "e/0000000007/");
 * ```
 */
export function endedFrom(minute: number): string {
  return `e/${minuteText(Math.max(0, minute))}/`;
}

/**
 * The minute of an `m/` or `e/` record's key.
 *
 * @example
 * ```ts
 * import { recordMinute } from "./stat_records.ts";
 * console.assert(recordMinute("e/0000000007/p") === 7);
 * ```
 */
export function recordMinute(key: string): number {
  return Number(key.slice(2, 12));
}

/**
 * The `<queue, task>` part of an `m/` record's key.
 *
 * @example
 * ```ts
 * import { recordPair } from "./stat_records.ts";
 * console.assert(recordPair('m/0000000007/p/["q/x","t"]') === '["q/x","t"]');
 * ```
 */
export function recordPair(key: string): string {
  return key.slice(key.indexOf("/", 13) + 1);
}

/**
 * The record a process counts `key` in when it flushes in `minute`: ended-per-minute counts
 * by the minute they name, the rest by queue and task.
 *
 * @example
 * ```ts
 * import { statRecordKey } from "./stat_records.ts";
 * console.assert(statRecordKey(["minute", 9, "failed"], { minute: 10, process: "p" }) === "e/0000000009/p");
 * ```
 */
export function statRecordKey(
  key: StatKey,
  { minute, process }: { minute: number; process: string },
): string {
  if (key[0] === "minute") return endedRecordKey(key[1] as number, process);
  return minuteRecordKey(minute, process, JSON.stringify([key[2], key[3]]));
}

/**
 * Sums of statistics by key: what a record holds, what a flush adds to, what a read answers.
 *
 * @example
 * ```ts
 * import { StatSums } from "./stat_records.ts";
 * const sums = new StatSums().add([["jobs", "x", "q", "t"], 1]).add([["jobs", "x", "q", "t"], 2]);
 * console.assert(sums.entries()[0].value === 3);
 * ```
 */
export class StatSums {
  readonly #sums = new Map<string, StoredStat>();

  /** Adds one sum. */
  add([key, value]: StoredStat): this {
    const id = key.join("\u0000");
    const kept = this.#sums.get(id);
    if (kept) kept[1] += value;
    else this.#sums.set(id, [key, value]);
    return this;
  }

  /** Adds every sum a record holds. */
  addStored(stored: unknown): this {
    for (const stat of (stored ?? []) as StoredStat[]) this.add(stat);
    return this;
  }

  /** The sums as a record holds them. */
  stored(): StoredStat[] {
    return [...this.#sums.values()].map(([key, value]) => [key, value]);
  }

  /** The sums as statistics. */
  entries(): StatEntry[] {
    return [...this.#sums.values()].map(([key, value]) => ({ key, value }));
  }
}
