/**
 * Issue #13, point 1: a handler that computes without awaiting for several lease periods,
 * two `tq worker` processes on one store with a short lease, one job. It must run exactly
 * once and end `finished` with `attempts: 1`, on KV and on Redis, in the default mode and
 * in `thread` and `process` isolation.
 */
import { assertEquals } from "../assert.ts";
import { connect } from "../../src/connect.ts";
import { registry } from "../fixtures/heavy_tasks.ts";
import type { Job } from "../../src/job.ts";
import { RedisServer } from "../store/redis_server.ts";
import { eventually, TqProcess } from "../integration/tq_process.ts";

const TASKS = ["--tasks", "tests/fixtures/heavy_tasks.ts"];
/**
 * Three lease periods of computing: past the lapse plus the other worker's rescuer tick (5 s).
 * The lease leaves the keeper thread, which starts with the job, time to start and connect on
 * a loaded machine: with 2 s, CI at load 12 once saw the lease lapse first.
 */
const SPIN_MS = 12_000;
const LEASE = "4s";

async function runsOnce(store: string[], isolation: string[]): Promise<void> {
  const dir = await Deno.makeTempDir();
  const record = `${dir}/runs.log`;
  const env = { TQ_RECORD_FILE: record };
  const workerArgs = ["worker", ...TASKS, "--lease", LEASE, ...isolation, ...store];
  const workers = [0, 1].map(() => TqProcess.start(workerArgs, env));
  const redisIndex = store.indexOf("--redis");
  const connection = await connect({
    registry,
    db: redisIndex < 0 ? store[store.indexOf("--db") + 1] : undefined,
    redis: redisIndex < 0 ? undefined : store[redisIndex + 1],
    redisPrefix: redisIndex < 0 ? undefined : "iso",
  });
  try {
    await Promise.all(workers.map((w) => w.waitForLine((l) => l.event === "worker:started")));
    const { id } = await connection.producer.enqueue({ task: "spin", input: { ms: SPIN_MS } });
    const done: Job = await eventually(
      async () => {
        const job = await connection.store.jobGet(id);
        return job && job.state !== "queued" && job.state !== "started" && job;
      },
      30_000,
      "the job to end",
    );
    // Another lease period, in which a second run would have shown up.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const runs = (await Deno.readTextFile(record)).trim().split("\n");
    assertEquals([done.state, done.attempts, done.errors], ["finished", 1, []]);
    assertEquals(runs.length, 1, `ran ${runs.length} times: ${runs.join(" | ")}`);
  } finally {
    await connection.close();
    await Promise.all(workers.map((w) => w.stop()));
    await Deno.remove(dir, { recursive: true });
  }
}

for (const mode of ["default", "thread", "process"]) {
  const isolation = mode === "default" ? [] : ["--isolation", mode];
  Deno.test(`KV, ${mode} mode: a handler computing past its lease runs once and finishes`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      await runsOnce(["--db", `${dir}/tq.db`], isolation);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`Redis, ${mode} mode: a handler computing past its lease runs once and finishes`, async () => {
    const redis = await RedisServer.start();
    try {
      await runsOnce(["--redis", redis.url, "--redis-prefix", "iso"], isolation);
    } finally {
      await redis.stop();
    }
  });
}
