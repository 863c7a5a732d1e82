/**
 * Writes a process's statistics (`stat_tally.ts`) to its own records every second while
 * jobs change (`stat_records.ts`), and at stop; once a minute it also folds old records into
 * the totals (`stat_fold.ts`). An idle process sleeps until its next change or fold. A process killed without stopping loses what it counted since its last
 * flush: at most a second of counts. A flush that fails keeps its sums for the next one.
 *
 * Each record is written whole from memory (no read): the process keeps its records of the
 * current minute, and its ended-per-minute records for as long as they are kept.
 *
 * @example
 * ```ts ignore
 * const tally = new StatTally();
 * const store = await openStoreAt(location, { clock, onJobsWritten: tally.add });
 * const flusher = new StatsFlusher({ store, tally, clock, logger });
 * flusher.start();
 * await flusher.stop(); // writes what is left
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { Service } from "../service.ts";
import { MINUTE_MS } from "./stat_deltas.ts";
import { foldStats, type StatStore } from "./stat_fold.ts";
import {
  MINUTES_KEPT_MS,
  recordMinute,
  STAT_SPACE,
  statRecordKey,
  StatSums,
} from "./stat_records.ts";
import type { StatTally } from "./stat_tally.ts";

/** How often a process writes its statistics. */
export const FLUSH_MS = 1_000;
/** How often a process tries to fold old records. */
const FOLD_EVERY_MS = 60_000;
/** Records per commit: well within a KV commit's 1,000 mutations and 800 KB. */
const RECORDS_PER_COMMIT = 100;

/** What {@linkcode StatsFlusher} needs. */
export interface StatsFlusherOptions {
  store: StatStore;
  tally: StatTally;
  clock: Clock;
  logger: Logger;
}

interface OpenRecord {
  sums: StatSums;
  written: boolean;
}

/** The service that writes this process's statistics. */
export class StatsFlusher extends Service {
  readonly #o: StatsFlusherOptions;
  /** This process's records: its name in their keys. */
  readonly #process = crypto.randomUUID();
  readonly #records = new Map<string, OpenRecord>();
  #flushing: Promise<void> = Promise.resolve();
  /** When the last round flushed: the next waits for a change and a second since. */
  #flushedAt = -Infinity;
  /** A minute after start, not at once: a one-shot command (`tq enqueue`) never folds. */
  #nextFoldAt: number;

  constructor(options: StatsFlusherOptions) {
    super("stats", options.clock, options.logger);
    this.#o = options;
    this.#nextFoldAt = options.clock.now() + FOLD_EVERY_MS;
  }

  /**
   * Writes what was counted so far; resolves once written (or failed: kept for the next
   * flush). Readers in this process call it first, so they see their own counts.
   */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write()).catch((error) => {
      this.logger.warn("stats:error", { error: String(error) });
    });
    return this.#flushing;
  }

  /** Stops the loop and writes what is left. */
  override async stop(): Promise<void> {
    await super.stop();
    await this.flush();
  }

  /** The next round comes once sums wait and a second has passed since the last flush. */
  protected override wakeUp(signal: AbortSignal): Promise<void> {
    return this.#o.tally.added(signal).then(() => {
      const left = this.#flushedAt + FLUSH_MS - this.clock.now();
      // A fake clock resolves even a zero sleep only when advanced: skip it.
      return left > 0 ? this.clock.sleep(left, signal) : undefined;
    });
  }

  protected async tick(): Promise<number> {
    await this.flush();
    const now = this.clock.now();
    this.#flushedAt = now;
    if (now >= this.#nextFoldAt) {
      this.#nextFoldAt = now + FOLD_EVERY_MS;
      await foldStats(this.#o.store, { now, owner: this.#process });
    }
    return Math.max(1, this.#nextFoldAt - now);
  }

  async #write(): Promise<void> {
    const now = this.clock.now();
    const minute = Math.floor(now / MINUTE_MS);
    for (const { key, value } of this.#o.tally.take()) {
      const recordKey = statRecordKey(key, { minute, process: this.#process });
      const record = this.#records.get(recordKey) ?? { sums: new StatSums(), written: true };
      record.sums.add([key, value]);
      record.written = false;
      this.#records.set(recordKey, record);
    }
    const unwritten = [...this.#records].filter(([, record]) => !record.written);
    for (let i = 0; i < unwritten.length; i += RECORDS_PER_COMMIT) {
      const chunk = unwritten.slice(i, i + RECORDS_PER_COMMIT);
      await this.#o.store.recordCommit({
        puts: chunk.map(([key, record]) => ({
          space: STAT_SPACE,
          key,
          value: record.sums.stored(),
          ...(key.startsWith("e/") ? { ttlMs: MINUTES_KEPT_MS } : {}),
        })),
      });
      for (const [, record] of chunk) record.written = true;
    }
    const endedKept = Math.floor((now - MINUTES_KEPT_MS) / MINUTE_MS);
    for (const [key, record] of this.#records) {
      const done = key.startsWith("e/")
        ? recordMinute(key) < endedKept
        : record.written && recordMinute(key) < minute;
      if (done) this.#records.delete(key);
    }
  }
}
