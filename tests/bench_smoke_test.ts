/**
 * `deno task bench` as CI runs it: the latency, idle and scaling cases with a few samples
 * and tiny queues, so a broken benchmark (a lock file `npm ci` refuses, a case that no longer starts tq) is
 * caught without the full run's minutes. Needs `redis-server`, `node` and `npm` on PATH.
 */
import { assert } from "./assert.ts";
import { allWorkersRate } from "../bench/drain_window.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("deno task bench runs its latency, idle and scaling cases and prints their rows", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "bench"],
    cwd: ROOT,
    env: {
      BENCH_ONLY: "latency,idle,scaling",
      BENCH_LATENCY_SAMPLES: "5",
      BENCH_IDLE_SECONDS: "1",
      BENCH_SCALING_WORKERS: "1",
      BENCH_SCALING_CONCURRENCY: "10",
      BENCH_SCALING_JOBS: "200",
      BENCH_SCALING_SMALL: "100",
      BENCH_CLAIM_JOBS: "1000",
      BENCH_CLAIM_SAMPLES: "5",
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  assert(code === 0, `deno task bench exited with ${code}:\n${new TextDecoder().decode(stderr)}`);
  for (const row of ["enqueue→start", "idle tq worker (KV), CPU", "idle tq start (KV), RSS"]) {
    assert(out.includes(row), `no "${row}" row in:\n${out}`);
  }
  for (const row of ["tq KV, 1 worker", "tq Redis, 1 worker", "tq Redis, claim one job"]) {
    const withFigure = new RegExp(`\\| ${row} \\| [\\d.,]+ \\|`);
    assert(withFigure.test(out), `no figure in the "${row}" row of:\n${out}`);
  }
});

Deno.test("a drain's rate counts only the jobs that end once the last worker has started", () => {
  const jobs = [
    { workerId: "early", startedAt: 0, endedAt: 400 },
    { workerId: "early", startedAt: 400, endedAt: 900 },
    { workerId: "late", startedAt: 1_000, endedAt: 1_200 },
    { workerId: "early", startedAt: 900, endedAt: 1_500 },
    { workerId: "late", startedAt: 1_200, endedAt: 2_000 },
  ];
  const { rate, workers } = allWorkersRate(jobs);
  assert(workers === 2, `saw ${workers} workers`);
  assert(rate === 3, `3 jobs end in the 1,000 ms after the late worker's start, got ${rate}/s`);
});
