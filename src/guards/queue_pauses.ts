/**
 * Queue pauses: a paused queue still takes jobs, but no worker claims from it until it is
 * resumed, in every process. A pause is a keyed record (`src/store/records.ts`, space
 * `queue_pause`, value `true`) under the queue's name; claimants leave paused queues out of
 * the queues they hand `store.jobClaim`.
 *
 * A claimant's view is a small cache over the records, read again at most every
 * {@linkcode PAUSE_REFRESH_MS}, so a claim costs nothing extra while no queue is paused,
 * and a pause made by another process holds within that time. There is one view per store
 * object ({@linkcode QueuePauses.of}), so a pause or resume made in this process holds at
 * once; a resume also wakes idle claimants everywhere (`store.workNotify`).
 *
 * @example
 * ```ts
 * import { systemClock } from "../clock.ts";
 * import { openKvStore } from "../store/kv/kv_store.ts";
 * import { QueuePauses } from "./queue_pauses.ts";
 * const store = await openKvStore(":memory:");
 * const pauses = QueuePauses.of(store, systemClock);
 * await pauses.set({ queue: "mail", paused: true });
 * console.assert((await pauses.filter(["mail", "default"])).join() === "default");
 * store.close();
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Store } from "../store/store.ts";

/** How stale a claimant's view of the paused queues may be, in ms. */
export const PAUSE_REFRESH_MS = 500;

/** Most paused queues a listing reads. */
export const MAX_PAUSED_QUEUES = 10_000;

/** The records' space. */
const SPACE = "queue_pause";

/** What pauses need of a store. */
export type PauseStore = Pick<Store, "recordPut" | "recordDelete" | "recordList" | "workNotify">;

/**
 * The names of the paused queues, sorted, as the store has them now.
 *
 * @example
 * ```ts ignore
 * const paused = await pausedQueues(store);
 * ```
 */
export async function pausedQueues(store: Pick<Store, "recordList">): Promise<string[]> {
  const records = await store.recordList({ space: SPACE, limit: MAX_PAUSED_QUEUES });
  return records.map((record) => record.key);
}

const views = new WeakMap<PauseStore, QueuePauses>();

/** The paused queues of one store, with a cached view for claimants. */
export class QueuePauses {
  readonly #store: PauseStore;
  readonly #clock: Clock;
  #names = new Set<string>();
  #readAt = -Infinity;

  /**
   * The one view of `store`'s pauses in this process (made with `clock` on first use), so
   * that a pause made through it holds at once for this process' claimants.
   *
   * @example
   * ```ts ignore
   * await QueuePauses.of(store, clock).set({ queue: "mail", paused: false });
   * ```
   */
  static of(store: PauseStore, clock: Clock): QueuePauses {
    let view = views.get(store);
    if (!view) views.set(store, view = new QueuePauses(store, clock));
    return view;
  }

  constructor(store: PauseStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Pauses or resumes claims from `queue`; a resume wakes idle claimants of it. */
  async set({ queue, paused }: { queue: string; paused: boolean }): Promise<void> {
    if (paused) await this.#store.recordPut({ space: SPACE, key: queue, value: true });
    else await this.#store.recordDelete({ space: SPACE, key: queue });
    this.#readAt = -Infinity;
    if (!paused) await this.#store.workNotify({ queues: [queue] });
  }

  /** `queues` without the paused ones, in order. A clock set back reads the list again. */
  async filter(queues: string[]): Promise<string[]> {
    const now = this.#clock.now();
    if (now - this.#readAt >= PAUSE_REFRESH_MS || now < this.#readAt) {
      this.#names = new Set(await pausedQueues(this.#store));
      this.#readAt = now;
    }
    return this.#names.size === 0 ? queues : queues.filter((q) => !this.#names.has(q));
  }
}
