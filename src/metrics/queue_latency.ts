/**
 * Queue latency: how long the oldest ready job of a queue has waited, now minus the time
 * it became ready (its `runAt`: enqueue, delay end or backoff end), 0 when nothing is
 * ready. The signal to autoscale workers on: it grows when workers fall behind, whatever
 * the queue's length. Served as `tq_queue_latency_seconds`, `latency_ms` in `GET /queues`
 * and `tq queues`, and on the dashboard.
 *
 * @example
 * ```ts
 * import { latencyMs } from "./queue_latency.ts";
 * console.assert(latencyMs(1_000, 4_500) === 3_500);
 * console.assert(latencyMs(null, 4_500) === 0);
 * ```
 * @module
 */
import type { Store } from "../store/store.ts";

/**
 * The wait of a queue's oldest ready job at `now`, from when it became ready (null: none).
 * Never negative, should clocks disagree.
 *
 * @example
 * ```ts
 * import { latencyMs } from "./queue_latency.ts";
 * console.assert(latencyMs(5_000, 4_000) === 0);
 * ```
 */
export function latencyMs(oldestReadyAt: number | null, now: number): number {
  return oldestReadyAt === null ? 0 : Math.max(0, now - oldestReadyAt);
}

/**
 * The latency of each queue in `queues` (by name) at `now`. Only queues with ready jobs
 * are read from the store; the others are 0.
 *
 * @example
 * ```ts ignore
 * const latency = await queueLatencies(store, await store.queueCounts(), Date.now());
 * console.log(latency.get("mail")); // ms
 * ```
 */
export async function queueLatencies(
  store: Store,
  queues: readonly { name: string; queued: number }[],
  now: number,
): Promise<Map<string, number>> {
  const ready = queues.filter((q) => q.queued > 0).map((q) => q.name);
  const oldest = await store.queueOldestReady({ queues: ready });
  const latency = new Map(queues.map((q) => [q.name, 0]));
  ready.forEach((name, i) => latency.set(name, latencyMs(oldest[i], now)));
  return latency;
}
