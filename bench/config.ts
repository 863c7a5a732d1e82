/**
 * The benchmark's sizes, each overridable by an environment variable so a quick run and
 * the full run use the same code. Defaults keep `deno task bench` under 10 minutes on a
 * quiet 2-core machine.
 *
 * @example
 * ```ts ignore
 * // BENCH_CLAIM_JOBS=100000 deno task bench
 * import { CONFIG } from "./config.ts";
 * console.log(CONFIG.claimJobs);
 * ```
 * @module
 */
const whole = (value: number) => Number.isInteger(value) && value >= 1;
const int = (name: string, fallback: number) => {
  const value = Number(Deno.env.get(name) ?? fallback);
  if (!whole(value)) throw new RangeError(`${name} must be a whole number`);
  return value;
};
const ints = (name: string, fallback: number[]) => {
  const text = Deno.env.get(name);
  if (text === undefined) return fallback;
  const values = text.split(",").map(Number);
  if (!values.every(whole)) {
    throw new RangeError(`${name} must be whole numbers separated by commas`);
  }
  return values;
};

/** Every size the benchmark uses. */
export const CONFIG = {
  /** Jobs of the no-op end-to-end run; worker memory is read after it. */
  e2eJobs: int("BENCH_E2E_JOBS", 100_000),
  /** Jobs of the no-op end-to-end run of `tq worker` at its default flags. */
  e2eDefaultJobs: int("BENCH_E2E_DEFAULT_JOBS", 20_000),
  /** Seconds each idle command is measured (`idle.ts`). */
  idleSeconds: int("BENCH_IDLE_SECONDS", 30),
  /**
   * Seconds each idle command is left before it is measured: past V8's memory reducer,
   * whose one-off collections 30-45 s after start-up are not what idling costs.
   */
  idleSettleSeconds: int("BENCH_IDLE_SETTLE_SECONDS", 45),
  /** Jobs of the 5 ms end-to-end run. */
  e2eSlowJobs: int("BENCH_E2E_SLOW_JOBS", 20_000),
  /** Worker processes, and handlers each runs at once. */
  workers: int("BENCH_WORKERS", 2),
  concurrency: int("BENCH_CONCURRENCY", 100),
  /** Sequential single enqueues; then concurrent ones from `callers` callers at once. */
  singleJobs: int("BENCH_SINGLE_JOBS", 2_000),
  concurrentJobs: int("BENCH_CONCURRENT_JOBS", 20_000),
  callers: int("BENCH_CALLERS", 100),
  /** Rounds of the enqueue cases; each figure is their median. */
  enqueueRounds: int("BENCH_ENQUEUE_ROUNDS", 3),
  /** Jobs enqueued in bulk calls of `BULK_CALL_JOBS` (tq_cases.ts). */
  bulkJobs: int("BENCH_BULK_JOBS", 60_000),
  /** Latency samples, one enqueue every `gapMs`. */
  latencySamples: int("BENCH_LATENCY_SAMPLES", 200),
  gapMs: int("BENCH_GAP_MS", 20),
  /** The small and the big queue of the claim-cost measure; claims (and enqueues) timed at each. */
  claimSmall: int("BENCH_CLAIM_SMALL", 1_000),
  claimJobs: int("BENCH_CLAIM_JOBS", 1_000_000),
  claimSamples: int("BENCH_CLAIM_SAMPLES", 200),
  /** The scaling case: worker processes × concurrency of its drains (prefilled no-op jobs). */
  scalingWorkers: ints("BENCH_SCALING_WORKERS", [1, 2, 4]),
  scalingConcurrency: ints("BENCH_SCALING_CONCURRENCY", [1, 10, 100]),
  /** Jobs of each drain, fewer at concurrency 1: a few seconds each on a 2-core machine. */
  scalingJobs: int("BENCH_SCALING_JOBS", 20_000),
  scalingJobsConcurrency1: int("BENCH_SCALING_JOBS_C1", 5_000),
  /** The short queue its enqueue and claim costs are timed at (the long one: `claimJobs`). */
  scalingSmall: int("BENCH_SCALING_SMALL", 10_000),
  /** Jobs prefilled for the PostgreSQL drain (`workers` × `concurrency` drain them). */
  postgresDrainJobs: int("BENCH_POSTGRES_JOBS", 20_000),
  /** HTTP load: open connections and seconds per server. */
  httpConnections: int("BENCH_HTTP_CONNECTIONS", 50),
  httpSeconds: int("BENCH_HTTP_SECONDS", 10),
  /** Rounds of the HTTP case, each server in turn; the figures are the rounds' medians. */
  httpRounds: int("BENCH_HTTP_ROUNDS", 3),
};
