/**
 * What `GET /metrics` reports, read from the store on each scrape so that every worker
 * process's jobs are included: counters and histograms summed by job changes
 * (`stat_deltas.ts`), jobs per state per queue, each queue's latency (`queue_latency.ts`),
 * and the workers online.
 *
 * @example
 * ```ts ignore
 * import { collectMetrics } from "./collect.ts";
 * import { exposition } from "./exposition.ts";
 * console.log(exposition(await collectMetrics(store, Date.now())));
 * ```
 * @module
 */
import { JOB_STATES } from "../job.ts";
import type { Store } from "../store/store.ts";
import type { StatEntry } from "./stat_deltas.ts";
import { readStats } from "./stats_read.ts";
import type { MetricFamily, Sample } from "./exposition.ts";
import { queueLatencies } from "./queue_latency.ts";
import { BUCKETS_SECONDS, JOB_EVENTS } from "./stat_deltas.ts";
import { workerList } from "../presence/worker_registry.ts";

const EVENT_HELP: Record<string, string> = {
  enqueued: "Jobs enqueued.",
  started: "Attempts started (claims by workers).",
  finished: "Jobs finished successfully.",
  failed: "Jobs failed for good.",
  retried: "Jobs retried: a failed attempt with a retry scheduled, or a manual retry.",
  deferred: "Jobs put back without using an attempt: RateLimitedError, or their task held.",
  suspended: "Jobs that left their worker at a ctx.sleep or ctx.waitForEvent (no attempt used).",
  canceled: "Jobs canceled (expired ones included).",
  expired: "Jobs canceled because they had not started by their expires_at.",
};

const HISTOGRAMS = {
  run: ["tq_job_run_seconds", "Run time of attempts, from start to their end."],
  wait: [
    "tq_job_wait_seconds",
    "Wait of jobs from ready (enqueue, delay or backoff end) to start.",
  ],
} as const;

/** Counters per event, by queue and task. */
function eventFamilies(stats: StatEntry[]): MetricFamily[] {
  return JOB_EVENTS.map((event) => ({
    name: `tq_jobs_${event}_total`,
    help: EVENT_HELP[event],
    type: "counter",
    samples: stats.filter((s) => s.key[0] === "jobs" && s.key[1] === event).map((s) => ({
      labels: { queue: String(s.key[2]), task: String(s.key[3]) },
      value: s.value,
    })),
  }));
}

/** Histograms from stored per-bucket counts (made cumulative here) and sums in ms. */
function histogramFamilies(stats: StatEntry[]): MetricFamily[] {
  return (Object.keys(HISTOGRAMS) as (keyof typeof HISTOGRAMS)[]).map((kind) => {
    const series = new Map<
      string,
      { queue: string; task: string; buckets: number[]; ms: number }
    >();
    for (const s of stats) {
      if ((s.key[0] !== "hist" && s.key[0] !== "hist_ms") || s.key[1] !== kind) continue;
      const [queue, task] = [String(s.key[2]), String(s.key[3])];
      const id = JSON.stringify([queue, task]);
      const entry = series.get(id) ??
        { queue, task, buckets: new Array(BUCKETS_SECONDS.length + 1).fill(0), ms: 0 };
      series.set(id, entry);
      if (s.key[0] === "hist_ms") entry.ms = s.value;
      else entry.buckets[Number(s.key[4])] += s.value;
    }
    const samples: Sample[] = [];
    for (const { queue, task, buckets, ms } of series.values()) {
      let cumulative = 0;
      buckets.forEach((count, i) => {
        cumulative += count;
        const le = i < BUCKETS_SECONDS.length ? String(BUCKETS_SECONDS[i]) : "+Inf";
        samples.push({ suffix: "_bucket", labels: { queue, task, le }, value: cumulative });
      });
      samples.push({ suffix: "_sum", labels: { queue, task }, value: ms / 1000 });
      samples.push({ suffix: "_count", labels: { queue, task }, value: cumulative });
    }
    const [name, help] = HISTOGRAMS[kind];
    return { name, help, type: "histogram", samples };
  });
}

/**
 * Every family `/metrics` serves, as of `now`.
 *
 * @example
 * ```ts ignore
 * const families = await collectMetrics(store, Date.now());
 * ```
 */
export async function collectMetrics(store: Store, now: number): Promise<MetricFamily[]> {
  const [counts, stats, workers] = await Promise.all([
    store.queueCounts(),
    readStats(store, { since: now, now }),
    workerList(store, { now }),
  ]);
  const latency = await queueLatencies(store, counts, now);
  const gauge = (name: string, help: string, value: number): MetricFamily => ({
    name,
    help,
    type: "gauge",
    samples: [{ labels: {}, value }],
  });
  return [
    ...eventFamilies(stats),
    ...histogramFamilies(stats),
    {
      name: "tq_jobs",
      help: "Jobs per queue and state, now.",
      type: "gauge",
      samples: counts.flatMap((q) =>
        JOB_STATES.map((state) => ({ labels: { queue: q.name, state }, value: q[state] }))
      ),
    },
    {
      name: "tq_queue_latency_seconds",
      help: "Age of the oldest ready job per queue (now - when it became ready); 0 when none.",
      type: "gauge",
      samples: counts.map((q) => ({
        labels: { queue: q.name },
        value: (latency.get(q.name) ?? 0) / 1000,
      })),
    },
    gauge("tq_workers", "Worker processes online (heartbeat not expired).", workers.length),
    gauge(
      "tq_worker_slots",
      "Jobs the online workers may run at once, summed.",
      workers.reduce((n, w) => n + w.concurrency, 0),
    ),
    gauge(
      "tq_worker_running_jobs",
      "Jobs the online workers are running.",
      workers.reduce((n, w) => n + w.running, 0),
    ),
  ];
}
