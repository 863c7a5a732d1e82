/**
 * What every script of the benchmark's Node side shares: its arguments (one JSON object
 * as argv[2]), the Redis connection BullMQ needs, the one JSON line each script prints on
 * stdout, and small measures. The Deno side (bench/node_peer.ts) runs these scripts.
 *
 * @example
 * ```js
 * import { args, report } from "./common.mjs";
 * const { url } = args();
 * report({ url });
 * ```
 * @module
 */
import { readFileSync } from "node:fs";

/** The queue every BullMQ case uses. */
export const QUEUE = "bench";

/** The JSON object given as the first argument. */
export function args() {
  return JSON.parse(process.argv[2] ?? "{}");
}

/** BullMQ's connection options for a `redis://host:port` URL. */
export function connection(url) {
  const { hostname, port } = new URL(url);
  // Workers block on Redis, which BullMQ allows only without a retry limit per request.
  return { host: hostname, port: Number(port), maxRetriesPerRequest: null };
}

/** Prints the script's result: one JSON line on stdout, which the Deno side parses. */
export function report(result) {
  process.stdout.write(JSON.stringify(result) + "\n");
}

/** The p-th percentile (nearest rank). */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Resident memory of a process, in MB, from /proc. */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+)/)[1]) / 1024;
}

/** The job data of the two benchmark jobs: a no-op, or one that waits `sleepMs`. */
export function jobData(sleepMs) {
  return sleepMs ? { sleep_ms: sleepMs } : {};
}

/** Adds `total` jobs with `addBulk` in chunks of 1,000, a few chunks in flight. */
export async function fill(queue, total, sleepMs = 0) {
  const chunk = 1_000;
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const size = Math.min(chunk, total - next);
      next += size;
      await queue.addBulk(
        Array.from({ length: size }, () => ({ name: "noop", data: jobData(sleepMs) })),
      );
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
