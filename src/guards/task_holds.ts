/**
 * Task holds: `throw new RateLimitedError(ms, { pauseTask: true })` holds the task's other
 * jobs for `ms`, in every worker. The hold is a keyed record per task
 * (`src/store/records.ts`, space `task_hold`, value `{ until }`); workers honour it above
 * the store: a job of a held task that a worker claims is put back `scheduled` until the
 * hold ends (`deferJob`, no attempt used) instead of running. Each worker reads the holds
 * at most every {@linkcode HOLD_REFRESH_MS}, so a hold made by another process takes
 * effect within that time; one made by this worker at once.
 *
 * A hold only ever grows: a hold ending earlier than the one in place changes nothing. The
 * write is conditional on the record as read, so of two concurrent holds the later-ending
 * one stays.
 *
 * @example
 * ```ts
 * import { systemClock as clock } from "../clock.ts";
 * import { openKvStore } from "../store/kv/kv_store.ts";
 * import { TaskHolds } from "./task_holds.ts";
 * const store = await openKvStore(":memory:");
 * const holds = new TaskHolds(store, clock);
 * await holds.hold("send", clock.now() + 30_000);
 * console.assert((await holds.heldUntil("send", clock.now())) !== null);
 * store.close();
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Store } from "../store/store.ts";

/** How stale a worker's view of the task holds may be, in ms. */
export const HOLD_REFRESH_MS = 500;

/** How long a store keeps a hold's record after it ended (it is judged by `until`). */
const KEPT_AFTER_END_MS = 60_000;

/** Most holds a listing reads. */
const MAX_HOLDS = 10_000;

/** The records' space. */
const SPACE = "task_hold";

/** A task whose jobs may not start before `until` (epoch ms). */
export interface TaskHold {
  task: string;
  until: number;
}

/** What holds need of a store. */
export type HoldStore = Pick<Store, "recordGet" | "recordPut" | "recordList">;

/**
 * Holds `task`'s jobs from starting until `until`, in every process; a hold ending earlier
 * than the one in place changes nothing.
 *
 * @example
 * ```ts ignore
 * await taskHold(store, { task: "send", until: clock.now() + 30_000, now: clock.now() });
 * ```
 */
export async function taskHold(
  store: HoldStore,
  { task, until, now }: TaskHold & { now: number },
): Promise<void> {
  const ttlMs = Math.max(0, until - now) + KEPT_AFTER_END_MS;
  for (;;) { // a concurrent hold changed the record since we read it: look again
    const held = await store.recordGet({ space: SPACE, key: task });
    if (held && (held.value as { until: number }).until >= until) return;
    const ifVersion = held?.version ?? null;
    if (await store.recordPut({ space: SPACE, key: task, value: { until }, ttlMs, ifVersion })) {
      return;
    }
  }
}

/**
 * The holds still in force at `now`, by task name.
 *
 * @example
 * ```ts ignore
 * const holds = await taskHoldList(store, { now: clock.now() });
 * ```
 */
export async function taskHoldList(
  store: HoldStore,
  { now }: { now: number },
): Promise<TaskHold[]> {
  const records = await store.recordList({ space: SPACE, limit: MAX_HOLDS });
  return records.map(({ key, value }) => ({ task: key, until: (value as TaskHold).until }))
    .filter((hold) => hold.until > now);
}

/** A worker's cached view of the task holds. */
export class TaskHolds {
  readonly #store: HoldStore;
  readonly #clock: Clock;
  #holds = new Map<string, number>();
  #readAt = -Infinity;
  #reading: Promise<void> | undefined;

  constructor(store: HoldStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** When the hold on `task` ends, or null when it is not held at `now`. */
  async heldUntil(task: string, now: number): Promise<number | null> {
    const known = this.heldUntilKnown(task, now);
    if (known !== undefined) return known;
    this.#reading ??= this.#read(now).finally(() => this.#reading = undefined);
    await this.#reading;
    return this.#until(task, now);
  }

  /**
   * {@linkcode TaskHolds.heldUntil} without waiting, from a view fresh enough; undefined
   * when the view is due for a read (a worker starting a job asks this first, once per job).
   */
  heldUntilKnown(task: string, now: number): number | null | undefined {
    // Staleness is by the monotonic clock; `now` (the injected clock) decides the holds.
    return performance.now() - this.#readAt < HOLD_REFRESH_MS ? this.#until(task, now) : undefined;
  }

  #until(task: string, now: number): number | null {
    const until = this.#holds.get(task);
    return until !== undefined && until > now ? until : null;
  }

  /** Holds `task` until `until`, in the store and at once in this worker's view. */
  async hold(task: string, until: number): Promise<void> {
    this.#holds.set(task, Math.max(until, this.#holds.get(task) ?? -Infinity));
    await taskHold(this.#store, { task, until, now: this.#clock.now() });
  }

  async #read(now: number): Promise<void> {
    const holds = await taskHoldList(this.#store, { now });
    // Holds only ever grow and end by time: one made here while the list was read stays.
    const merged = new Map([...this.#holds].filter(([, until]) => until > now));
    for (const { task, until } of holds) merged.set(task, Math.max(until, merged.get(task) ?? 0));
    this.#holds = merged;
    this.#readAt = performance.now();
  }
}
