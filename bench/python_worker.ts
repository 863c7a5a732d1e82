/**
 * The Python worker's throughput: `tq serve` on a KV file (and on Redis with `--redis`)
 * with the external tasks of `tests/fixtures/external_tasks.ts`, N no-op jobs enqueued in
 * bulk first, then two Python worker processes (`tests/fixtures/py_worker.py`, 16 threads
 * each) drain them; jobs/s from the workers' start to the last job finished.
 *
 *     deno run -A bench/python_worker.ts [--jobs 20000] [--redis]
 *
 * @example
 * ```ts ignore
 * // deno run -A bench/python_worker.ts --jobs 5000
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { eventually } from "../tests/integration/tq_process.ts";
import { PyWorker, withPythonTq } from "../tests/integration/python_worker.ts";
import { PYTHON } from "../tests/integration/python_worker.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { jobs: { type: "string", default: "20000" }, redis: { type: "boolean" } },
});
const jobs = Number(values.jobs);
const store = values.redis ? "redis" : "kv";
const load = () => Deno.loadavg().map((n) => n.toFixed(2)).join(", ");

const python = new TextDecoder().decode(
  (await new Deno.Command(PYTHON, { args: ["--version"] }).output()).stdout,
).trim();
console.log(
  `${new Date().toISOString()}; ${navigator.hardwareConcurrency} cores; ` +
    `Deno ${Deno.version.deno}; ${python}`,
);
console.log(`load average at start: ${load()}`);
await withPythonTq(store, async ({ url, api }) => {
  for (let done = 0; done < jobs; done += 5_000) {
    const count = Math.min(5_000, jobs - done);
    const res = await api.post("/jobs/bulk", {
      jobs: Array.from({ length: count }, () => ({ task: "py_noop", input: null })),
    });
    if (res.status !== 202) throw new Error(`bulk: ${res.status} ${await res.text()}`);
  }
  const started = performance.now();
  const workers = [0, 1].map((i) => PyWorker.start(url, `py-bench-${i}`, 16, 30_000));
  await eventually(
    async () => {
      const { queues } = await (await fetch(`${url}/queues`)).json();
      return queues.find((q: { name: string }) => q.name === "python")?.finished === jobs;
    },
    600_000,
    "the drain",
  );
  const seconds = (performance.now() - started) / 1000;
  for (const worker of workers) await worker.stop();
  console.log(
    `${store}: ${jobs} no-op jobs, 2 Python processes × 16 threads: ` +
      `${Math.round(jobs / seconds)} jobs/s (${seconds.toFixed(1)} s)`,
  );
});
console.log(`load average at end: ${load()}`);
