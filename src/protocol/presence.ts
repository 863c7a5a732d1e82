/**
 * Protocol workers in the store's worker registry, next to TypeScript workers: each claim
 * and each `POST /worker/beat` writes the worker's entry (what it said of itself: host,
 * pid, concurrency, queues, the jobs it runs), expiring after {@linkcode PROTOCOL_BEAT_TTL_MS}
 * without another, so `tq workers` and the dashboard's workers page list it.
 *
 * @example
 * ```ts ignore
 * await workerBeat(store, { worker: protocolWorkerRecord(beat, Date.now()), ttlMs: PROTOCOL_BEAT_TTL_MS });
 * ```
 * @module
 */
import { MAX_LISTED_RUNNING, type WorkerRecord } from "../presence/worker_registry.ts";

/** How long a protocol worker's entry lasts without a claim or beat (three 5 s beats). */
export const PROTOCOL_BEAT_TTL_MS = 15_000;

/** What a protocol worker says of itself. */
export interface ProtocolBeat {
  worker: string;
  queues: string[];
  host?: string;
  pid?: number;
  concurrency?: number;
  /** Ids of the jobs it runs. */
  running?: string[];
  /** When it started (epoch ms). */
  startedAt?: number;
}

/**
 * The registry entry of a protocol worker as of `now`.
 *
 * @example
 * ```ts
 * import { protocolWorkerRecord } from "./presence.ts";
 * const record = protocolWorkerRecord({ worker: "py-1", queues: ["python"] }, 0);
 * console.assert(record.id === "py-1" && record.expiresAt === 15_000);
 * ```
 */
export function protocolWorkerRecord(beat: ProtocolBeat, now: number): WorkerRecord {
  const running = [...new Set(beat.running ?? [])];
  return {
    id: beat.worker,
    host: beat.host ?? "unknown",
    pid: beat.pid ?? 0,
    concurrency: beat.concurrency ?? 1,
    queues: beat.queues,
    runningJobIds: running.slice(0, MAX_LISTED_RUNNING),
    running: running.length,
    startedAt: beat.startedAt ?? now,
    lastHeartbeatAt: now,
    expiresAt: now + PROTOCOL_BEAT_TTL_MS,
  };
}
