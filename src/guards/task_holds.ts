/**
 * Task holds: `throw new RateLimitedError(ms, { pauseTask: true })` holds the task's other
 * jobs for `ms`, in every worker. The hold is one small record per task in the store
 * (`Store.taskHold`); workers honour it above the store: a job of a held task that a worker
 * claims is put back `scheduled` until the hold ends (`deferJob`, no attempt used) instead
 * of running. Each worker reads the holds at most every {@linkcode HOLD_REFRESH_MS}, so a
 * hold made by another process takes effect within that time; one made by this worker at
 * once.
 *
 * @example
 * ```ts ignore
 * const holds = new TaskHolds(store);
 * await holds.hold("send", clock.now() + 30_000);
 * console.assert((await holds.heldUntil("send", clock.now())) !== null);
 * ```
 * @module
 */
import type { Store } from "../store/store.ts";

/** How stale a worker's view of the task holds may be, in ms. */
export const HOLD_REFRESH_MS = 500;

/** A worker's cached view of the store's task holds. */
export class TaskHolds {
  readonly #store: Pick<Store, "taskHold" | "taskHoldList">;
  #holds = new Map<string, number>();
  #readAt = -Infinity;
  #reading: Promise<void> | undefined;

  constructor(store: Pick<Store, "taskHold" | "taskHoldList">) {
    this.#store = store;
  }

  /** When the hold on `task` ends, or null when it is not held at `now`. */
  async heldUntil(task: string, now: number): Promise<number | null> {
    // Staleness is by the monotonic clock; `now` (the injected clock) decides the holds.
    if (performance.now() - this.#readAt >= HOLD_REFRESH_MS) {
      this.#reading ??= this.#read(now).finally(() => this.#reading = undefined);
      await this.#reading;
    }
    const until = this.#holds.get(task);
    return until !== undefined && until > now ? until : null;
  }

  /** Holds `task` until `until`, in the store and at once in this worker's view. */
  async hold(task: string, until: number): Promise<void> {
    this.#holds.set(task, Math.max(until, this.#holds.get(task) ?? -Infinity));
    await this.#store.taskHold({ task, until });
  }

  async #read(now: number): Promise<void> {
    const holds = await this.#store.taskHoldList({ now });
    // Holds only ever grow and end by time: one made here while the list was read stays.
    const merged = new Map([...this.#holds].filter(([, until]) => until > now));
    for (const { task, until } of holds) merged.set(task, Math.max(until, merged.get(task) ?? 0));
    this.#holds = merged;
    this.#readAt = performance.now();
  }
}
