/**
 * `deno task bench`: tq on the Deno KV file, tq on Redis and BullMQ (under Node, on the same
 * `redis-server`) side by side, one run, printed as a Markdown table for
 * docs/benchmarks.md. It starts its own redis-server on a free loopback port and stops it,
 * and every server and worker it starts, at the end. Sizes: `config.ts` (env `BENCH_*`);
 * `BENCH_ONLY=e2e,claim` runs only some cases.
 *
 * Cases: `enqueue` (one at a time, many callers, bulk), `e2e` (no-op and 5 ms jobs, worker
 * memory), `latency` (enqueue→start), `http` (`POST /jobs` under autocannon), `claim`
 * (claim cost at a small and a big queue, bytes per queued job), `calls` (KV round-trips
 * per job), `heavy` (isolation modes: no-op overhead, 200 ms CPU jobs; `heavy.ts`), `idle`
 * (CPU and memory of idle `tq worker`, `serve`, `cron` and `start` on KV; `idle.ts`),
 * `postgres` (two `tq worker --postgres` drain prefilled no-op jobs, on a private cluster),
 * `scaling` (drain rate by workers × concurrency, enqueue and claim cost at a short and a
 * long queue; `scaling.ts`).
 *
 * @example
 * ```sh
 * BENCH_ONLY=latency deno task bench
 * ```
 * @module
 */
import { CONFIG } from "./config.ts";
import { bullmqHttp, tqHttp } from "./http_load.ts";
import { kvCallsPerJob } from "./kv_calls.ts";
import { machine } from "./machine.ts";
import { percentile } from "./measure.ts";
import { ensureNodeDeps, runNode } from "./node_peer.ts";
import { RedisServer } from "./redis_server.ts";
import { Table } from "./table.ts";
import { BULK_CALL_JOBS, tqEndToEnd, tqEnqueue, tqLatency, tqQueueCost } from "./tq_cases.ts";
import { kvPeer, postgresPeer, redisPeer, type TqPeer } from "./tq_peer.ts";
import { PostgresServer } from "../tests/store/postgres_server.ts";
import { heavyCase } from "./heavy.ts";
import { idleCase } from "./idle.ts";
import { scalingCase } from "./scaling.ts";

const only = Deno.env.get("BENCH_ONLY")?.split(",");
const wanted = (name: string) => !only || only.includes(name);
const started = performance.now();
const loadBefore = await Deno.readTextFile("/proc/loadavg");

await ensureNodeDeps();
const redis = await RedisServer.start();
const peers = { kv: kvPeer, redis: redisPeer(redis) };
const table = new Table();
/** Runs a BullMQ script on an empty Redis. */
const bullmq = async <T>(script: string, args: Record<string, unknown>) => {
  await redis.flush();
  return await runNode<T>(script, { url: redis.url, ...args });
};
const max = (values: number[]) => Math.max(...values);
let heavy: [string, string][] = [];
let drains: [string, string][] = [];
let scaling = "";
/** `tqQueueCost` once per store and queue length: the claim and scaling cases share a fill. */
const queueCosts = new Map<string, ReturnType<typeof tqQueueCost>>();
const queueCost = (peer: TqPeer, size: number) => {
  const key = `${peer.name} ${size}`;
  if (!queueCosts.has(key)) queueCosts.set(key, tqQueueCost(peer, size));
  return queueCosts.get(key)!;
};

/** `tq worker --postgres` processes draining prefilled no-op jobs, on a private cluster. */
async function postgresDrain(): Promise<[string, string][]> {
  const server = await PostgresServer.start();
  try {
    const jobs = CONFIG.postgresDrainJobs;
    const { rate, rssMb } = await tqEndToEnd(postgresPeer(server), { jobs, sleepMs: 0 });
    const what = `${CONFIG.workers} tq workers at default flags drain ` +
      `${jobs.toLocaleString("en-US")} prefilled no-op jobs`;
    return [[`${what}, jobs/s`, rate.toFixed(0)], [
      "worker RSS after them (largest), MB",
      Math.max(...rssMb).toFixed(0),
    ]];
  } finally {
    await server.stop();
  }
}

try {
  if (wanted("enqueue")) {
    // Enqueue rates swing with the disk and the machine's other tenants, so each figure is
    // the median of rounds that take the peers in turn.
    type Rates = Awaited<ReturnType<typeof tqEnqueue>>;
    const rounds: { kv: Rates; redis: Rates; bullmq: Rates }[] = [];
    for (let round = 0; round < CONFIG.enqueueRounds; round++) {
      rounds.push({
        kv: await tqEnqueue(peers.kv),
        redis: await tqEnqueue(peers.redis),
        bullmq: await bullmq<Rates>("enqueue.mjs", {
          single: CONFIG.singleJobs,
          concurrent: CONFIG.concurrentJobs,
          callers: CONFIG.callers,
          bulk: CONFIG.bulkJobs,
          bulkCall: BULK_CALL_JOBS,
        }),
      });
    }
    const median = (figure: keyof Rates) => ({
      kv: percentile(rounds.map((round) => round.kv[figure]), 50),
      redis: percentile(rounds.map((round) => round.redis[figure]), 50),
      bullmq: percentile(rounds.map((round) => round.bullmq[figure]), 50),
    });
    table.add("enqueue one at a time (awaited), jobs/s", "higher", median("sequential"));
    table.add(
      `enqueue from ${CONFIG.callers} concurrent callers, jobs/s`,
      "higher",
      median("concurrent"),
    );
    table.add(
      `bulk enqueue, ${BULK_CALL_JOBS.toLocaleString("en-US")} per call, jobs/s`,
      "higher",
      median("bulk"),
    );
  }
  if (wanted("e2e")) {
    const workers = `${CONFIG.workers} workers × ${CONFIG.concurrency}`;
    // As a user runs it: `tq worker` with no flags (every queue, default concurrency).
    const defaults = { jobs: CONFIG.e2eDefaultJobs, sleepMs: 0 };
    const kvDefaults = await tqEndToEnd(peers.kv, defaults);
    const redisDefaults = await tqEndToEnd(peers.redis, defaults);
    for (const [sleepMs, jobs] of [[0, CONFIG.e2eJobs], [5, CONFIG.e2eSlowJobs]]) {
      const args = { jobs, sleepMs, concurrency: CONFIG.concurrency };
      const kv = await tqEndToEnd(peers.kv, args);
      const rd = await tqEndToEnd(peers.redis, args);
      const bq = await bullmq<typeof kv>("e2e.mjs", { ...args, workers: CONFIG.workers });
      const job = sleepMs ? `${sleepMs} ms` : "no-op";
      table.add(
        `end to end, ${jobs.toLocaleString("en-US")} ${job} jobs, ${workers}, jobs/s`,
        "higher",
        {
          kv: kv.rate,
          redis: rd.rate,
          bullmq: bq.rate,
        },
      );
      if (sleepMs === 0) {
        table.add(
          `end to end, ${
            CONFIG.e2eDefaultJobs.toLocaleString("en-US")
          } no-op jobs, ${CONFIG.workers} tq workers at default flags (BullMQ: ${workers}), jobs/s`,
          "higher",
          { kv: kvDefaults.rate, redis: redisDefaults.rate, bullmq: bq.rate },
        );
        table.add(`worker RSS after ${jobs.toLocaleString("en-US")} jobs (largest), MB`, "lower", {
          kv: max(kv.rssMb),
          redis: max(rd.rssMb),
          bullmq: max(bq.rssMb),
        });
      }
    }
  }
  if (wanted("latency")) {
    const [kv, rd] = [await tqLatency(peers.kv), await tqLatency(peers.redis)];
    const bq = await bullmq<typeof kv>("latency.mjs", {
      samples: CONFIG.latencySamples,
      gapMs: CONFIG.gapMs,
    });
    const what = `enqueue→start, one every ${CONFIG.gapMs} ms, other process`;
    table.add(`${what}, p50 ms`, "lower", { kv: kv.p50, redis: rd.p50, bullmq: bq.p50 });
    table.add(`${what}, p99 ms`, "lower", { kv: kv.p99, redis: rd.p99, bullmq: bq.p99 });
  }
  if (wanted("http")) {
    // Like the enqueue figures, and for the same reason (a 10 s load swings with the
    // machine's other tenants): the median of rounds that take the servers in turn.
    type Figures = Awaited<ReturnType<typeof tqHttp>>;
    const rounds: { kv: Figures; redis: Figures; bullmq: Figures }[] = [];
    for (let round = 0; round < CONFIG.httpRounds; round++) {
      const [kv, rd] = [await tqHttp(peers.kv), await tqHttp(peers.redis)];
      await redis.flush();
      rounds.push({ kv, redis: rd, bullmq: await bullmqHttp(redis.url) });
    }
    const median = (figure: "rps" | "p99") => ({
      kv: percentile(rounds.map((round) => round.kv[figure]), 50),
      redis: percentile(rounds.map((round) => round.redis[figure]), 50),
      bullmq: percentile(rounds.map((round) => round.bullmq[figure]), 50),
    });
    const what = `HTTP POST /jobs, ${CONFIG.httpConnections} connections`;
    table.add(`${what}, requests/s`, "higher", median("rps"));
    table.add(`${what}, p99 ms`, "lower", median("p99"));
    const failed = (["kv", "redis", "bullmq"] as const).map((peer) =>
      rounds.reduce((sum, round) => sum + round[peer].non2xx + round[peer].errors, 0)
    );
    if (failed.some((n) => n > 0)) console.error(`HTTP non-2xx/errors: ${failed.join(", ")}`);
  }
  if (wanted("claim")) {
    const figures = [];
    for (const size of [CONFIG.claimSmall, CONFIG.claimJobs]) {
      const kv = await queueCost(peers.kv, size);
      const rd = await queueCost(peers.redis, size);
      const bq = await bullmq<typeof kv>("claim.mjs", { size, samples: CONFIG.claimSamples });
      figures.push({ kv, rd, bq });
      table.add(`claim one job, ${size.toLocaleString("en-US")} queued, median ms`, "lower", {
        kv: kv.claimMs,
        redis: rd.claimMs,
        bullmq: bq.claimMs,
      });
    }
    const [small, big] = figures;
    table.add(
      `claim cost growth, ${CONFIG.claimJobs.toLocaleString("en-US")} ÷ ${
        CONFIG.claimSmall.toLocaleString("en-US")
      } queued`,
      "lower",
      {
        kv: big.kv.claimMs / small.kv.claimMs,
        redis: big.rd.claimMs / small.rd.claimMs,
        bullmq: big.bq.claimMs / small.bq.claimMs,
      },
    );
    table.add("bytes per queued job (KV file; Redis used_memory)", "lower", {
      kv: big.kv.bytesPerJob,
      redis: big.rd.bytesPerJob,
      bullmq: big.bq.bytesPerJob,
    });
  }
  if (wanted("calls")) {
    const calls = await kvCallsPerJob();
    table.add("KV commits per job (bulk enqueue + worker, in process)", "lower", {
      kv: calls.commits,
    });
    table.add("KV reads per job (same run, incl. idle polling)", "lower", { kv: calls.reads });
  }
  if (wanted("heavy")) heavy = await heavyCase();
  if (wanted("idle")) {
    const idle = await idleCase(CONFIG.idleSeconds, CONFIG.idleSettleSeconds);
    for (const { command, cpuPercent, rssMb } of idle) {
      table.add(`idle tq ${command} (KV), CPU over ${CONFIG.idleSeconds} s, % of a core`, "lower", {
        kv: cpuPercent,
      });
      table.add(`idle tq ${command} (KV), RSS, MB`, "lower", { kv: rssMb });
    }
  }
  if (wanted("postgres")) drains = await postgresDrain();
  if (wanted("scaling")) scaling = await scalingCase([peers.kv, peers.redis], queueCost);
} finally {
  await redis.stop();
}

const loadAfter = await Deno.readTextFile("/proc/loadavg");
console.log(await machine());
console.log(
  `Load average (1, 5, 15 min) at start ${loadBefore.split(" ").slice(0, 3).join(", ")}, ` +
    `at end ${loadAfter.split(" ").slice(0, 3).join(", ")}; ` +
    `the run took ${Math.round((performance.now() - started) / 1000)} s.\n`,
);
const againstBullmq = table.markdown();
if (againstBullmq) console.log(againstBullmq);
if (drains.length > 0) {
  console.log("\n| tq on PostgreSQL | value |\n| --- | --- |");
  for (const [label, value] of drains) console.log(`| ${label} | ${value} |`);
}
if (scaling) console.log(`\n${scaling}`);
if (heavy.length > 0) {
  console.log("\n| heavy work (tq on KV, one worker) | value |\n| --- | --- |");
  for (const [label, value] of heavy) console.log(`| ${label} | ${value} |`);
}
