/**
 * The statistics of one process's job changes since its last flush, summed in memory: the
 * listener a store is opened with (`onJobsWritten`), which hears every change the store
 * wrote and adds its `statDeltas`. `stats_flusher.ts` takes the sums every second.
 *
 * @example
 * ```ts
 * import { StatTally } from "./stat_tally.ts";
 * import { createJob } from "../transitions/mod.ts";
 * const tally = new StatTally();
 * tally.add([{ before: null, after: createJob({ id: "a", task: "t", input: 1 }, 0) }]);
 * console.assert(tally.take()[0].key[1] === "enqueued");
 * ```
 * @module
 */
import type { JobChange } from "../store/store.ts";
import { statDeltas, type StatEntry } from "./stat_deltas.ts";

/** Statistic changes not yet flushed. */
export class StatTally {
  #pending = new Map<string, StatEntry>();
  /** Ends the wait of {@linkcode StatTally.added}, if one is on. */
  #added: (() => void) | undefined;

  /** Adds the statistics of changes a store wrote; a bound function, to pass as listener. */
  readonly add = (changes: JobChange[]): void => {
    for (const { before, after } of changes) {
      for (const { key, value } of statDeltas(before, after)) {
        const id = key.join("\u0000");
        const kept = this.#pending.get(id);
        if (kept) kept.value += value;
        else this.#pending.set(id, { key, value });
      }
    }
    if (this.#pending.size > 0) this.#added?.();
  };

  /**
   * Resolves once sums are waiting (at once if some are), or when `signal` aborts: an idle
   * process's flusher sleeps on it instead of waking every second.
   */
  added(signal: AbortSignal): Promise<void> {
    if (this.#pending.size > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#added = undefined;
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.#added = done;
      signal.addEventListener("abort", done);
    });
  }

  /** The sums since the last call, which are then forgotten here. */
  take(): StatEntry[] {
    const taken = [...this.#pending.values()];
    this.#pending = new Map();
    return taken;
  }
}
