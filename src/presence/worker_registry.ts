/**
 * The worker registry: each running worker (TypeScript or protocol) keeps a keyed record
 * (`src/store/records.ts`, space `worker`) describing itself, written again at every beat
 * with a time to live, so a worker that dies drops out of `tq workers`, the dashboard and
 * the metrics on its own; one that stops removes it. Expiry is judged by the record's own
 * `expiresAt`, as a store may keep a record a while past its time to live.
 *
 * @example
 * ```ts
 * import { openKvStore } from "../store/kv/kv_store.ts";
 * import { workerBeat, workerList, workerRemove } from "./worker_registry.ts";
 * const store = await openKvStore(":memory:");
 * const now = Date.now();
 * const worker = {
 *   id: "host:1:a", host: "host", pid: 1, concurrency: 10, queues: ["default"],
 *   runningJobIds: [], running: 0, startedAt: now, lastHeartbeatAt: now, expiresAt: now + 15_000,
 * };
 * await workerBeat(store, { worker, ttlMs: 15_000 });
 * console.assert((await workerList(store, { now })).length === 1);
 * await workerRemove(store, { id: worker.id });
 * console.assert((await workerList(store, { now })).length === 0);
 * store.close();
 * ```
 * @module
 */
import type { Store } from "../store/store.ts";

/** A worker process as its last heartbeat described it. */
export interface WorkerRecord {
  /** `hostname:pid:random`, as written into the jobs it runs. */
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  /** Queues in the order it serves them. */
  queues: string[];
  /** Ids of the jobs it holds (at most {@linkcode MAX_LISTED_RUNNING}). */
  runningJobIds: string[];
  /** How many jobs it holds, which may exceed the listed ids. */
  running: number;
  /** Epoch ms. */
  startedAt: number;
  lastHeartbeatAt: number;
  /** After this, without a new beat, the worker counts as gone. */
  expiresAt: number;
}

/** Most running job ids a worker record lists. */
export const MAX_LISTED_RUNNING = 100;

/** Most workers a listing reads. */
export const MAX_LISTED_WORKERS = 10_000;

/** The records' space. */
const SPACE = "worker";

/**
 * Records a worker's beat, replacing its previous one; the store may forget it once `ttlMs`
 * passes without another.
 *
 * @example
 * ```ts ignore
 * await workerBeat(store, { worker: presence.record(), ttlMs: 15_000 });
 * ```
 */
export async function workerBeat(
  store: Pick<Store, "recordPut">,
  { worker, ttlMs }: { worker: WorkerRecord; ttlMs: number },
): Promise<void> {
  await store.recordPut({ space: SPACE, key: worker.id, value: worker, ttlMs });
}

/**
 * Forgets a worker that stopped.
 *
 * @example
 * ```ts ignore
 * await workerRemove(store, { id: "host:42:ab12" });
 * ```
 */
export function workerRemove(
  store: Pick<Store, "recordDelete">,
  { id }: { id: string },
): Promise<void> {
  return store.recordDelete({ space: SPACE, key: id });
}

/**
 * Workers whose last beat has not expired at `now`, by id.
 *
 * @example
 * ```ts ignore
 * const online = await workerList(store, { now: clock.now() });
 * ```
 */
export async function workerList(
  store: Pick<Store, "recordList">,
  { now }: { now: number },
): Promise<WorkerRecord[]> {
  const records = await store.recordList({ space: SPACE, limit: MAX_LISTED_WORKERS });
  return records.map((record) => record.value as WorkerRecord)
    .filter((worker) => worker.expiresAt > now);
}
