/**
 * Small measuring tools for the benchmarks: percentiles, timings, resident memory, and counts
 * of KV calls made by this process (taken by wrapping Deno KV's own methods, so tq's code stays untouched).
 *
 * @example
 * ```ts
 * import { percentile } from "./measure.ts";
 * console.assert(percentile([3, 1, 2], 50) === 2);
 * ```
 * @module
 */

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Counts of KV round-trips made by this process. */
export interface KvCalls {
  commits: number;
  reads: number;
}

/**
 * Counts every atomic commit and every read (`get`, `getMany`, `list` batch start) this
 * process makes while `fn` runs.
 */
export async function countKvCalls(fn: () => Promise<void>): Promise<KvCalls> {
  const calls: KvCalls = { commits: 0, reads: 0 };
  const atomic = Deno.AtomicOperation.prototype;
  const kv = Deno.Kv.prototype;
  const originals = { commit: atomic.commit, get: kv.get, getMany: kv.getMany, list: kv.list };
  atomic.commit = function (this: Deno.AtomicOperation) {
    calls.commits++;
    return originals.commit.call(this);
  };
  kv.get = function (this: Deno.Kv, ...args: Parameters<Deno.Kv["get"]>) {
    calls.reads++;
    return originals.get.apply(this, args);
  } as Deno.Kv["get"];
  kv.getMany = function (this: Deno.Kv, ...args: Parameters<Deno.Kv["getMany"]>) {
    calls.reads++;
    return originals.getMany.apply(this, args);
  } as Deno.Kv["getMany"];
  kv.list = function (this: Deno.Kv, ...args: Parameters<Deno.Kv["list"]>) {
    calls.reads++;
    return originals.list.apply(this, args);
  } as Deno.Kv["list"];
  try {
    await fn();
  } finally {
    Object.assign(atomic, { commit: originals.commit });
    Object.assign(kv, { get: originals.get, getMany: originals.getMany, list: originals.list });
  }
  return calls;
}

/** Resident memory of a process, in MB, from /proc (Linux). */
export async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

/** Runs `fn` and returns how long it took, in ms. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}
