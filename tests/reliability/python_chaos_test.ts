/**
 * Chaos with Python workers: 2,000 jobs of an external task drained by Python worker
 * processes (`clients/python/tq_worker.py`) while they are SIGKILLed one after another and
 * replaced. Their leases lapse, `tq serve` rescues the jobs, and every job still ends
 * finished: none is lost.
 */
import { assert, assertEquals } from "../assert.ts";
import { eventually } from "../integration/tq_process.ts";
import { PyWorker, withPythonTq } from "../integration/python_worker.ts";

const JOBS = 2_000;
const KILLS = 8;

Deno.test("python workers SIGKILLed while draining 2,000 jobs lose none", async () => {
  await withPythonTq("kv", async ({ url, api }) => {
    const inputs = Array.from({ length: JOBS }, (_, i) => ({ i, sleep: 0.002 }));
    const res = await api.post("/jobs/bulk", {
      jobs: inputs.map((input) => ({ task: "py_noop", input })),
    });
    assertEquals(res.status, 202, await res.clone().text());
    assertEquals((await res.json()).job_ids.length, JOBS);

    let next = 0;
    const start = () => PyWorker.start(url, `py-chaos-${next++}`, 8, 1_500);
    const workers = [start(), start(), start()];
    const counts = async () => {
      const { queues } = await (await fetch(`${url}/queues`)).json();
      return queues.find((q: { name: string }) => q.name === "python");
    };
    let killedMidDrain = 0;
    try {
      for (let kill = 0; kill < KILLS; kill++) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        if ((await counts()).finished < JOBS) killedMidDrain++;
        const victim = workers.splice(kill % workers.length, 1)[0];
        await victim.stop("SIGKILL");
        workers.push(start());
      }
      const settled = await eventually(
        async () => {
          const python = await counts();
          return python.finished + python.failed + python.canceled === JOBS ? python : null;
        },
        90_000,
        "every job to end",
      );
      assertEquals([settled.finished, settled.failed, settled.canceled], [JOBS, 0, 0]);
      assert(killedMidDrain >= 3, `only ${killedMidDrain} kills happened while jobs remained`);
    } finally {
      for (const worker of workers) assertEquals(await worker.stop(), 0, worker.log);
    }
  });
});
