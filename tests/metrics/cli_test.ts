import { assert, assertEquals } from "../assert.ts";
import { eventually, runTq, tempDb, TqProcess } from "../integration/tq_process.ts";

Deno.test("tq workers and tq stats show a running worker and its finished job, also as JSON", async () => {
  const { db, cleanup } = await tempDb();
  const worker = TqProcess.start(["worker", "--db", db, "--concurrency", "3"]);
  try {
    await worker.waitForLine((l) => l.event === "worker:started");
    assertEquals((await runTq(["enqueue", "noop", "{}", "--db", db])).code, 0);
    const stats = await eventually(
      async () => {
        const { stdout } = await runTq(["stats", "--json", "--db", db]);
        const parsed = JSON.parse(stdout);
        return parsed.last_hour.finished === 1 && parsed.workers.count === 1 && parsed;
      },
      20_000,
      "the job to finish and the worker to show",
    );
    assertEquals(stats.workers.slots, 3);
    assertEquals(stats.queues.find((q: { name: string }) => q.name === "default").finished, 1);

    const { stdout: json } = await runTq(["workers", "--json", "--db", db]);
    const [entry] = JSON.parse(json).workers;
    assertEquals([entry.pid, entry.concurrency], [worker.pid, 3]);
    // The beat at the job's start said 1/3; the next one, within a beat interval, says 0/3.
    await eventually(
      async () => {
        const { stdout } = await runTq(["workers", "--db", db]);
        return stdout.includes(String(worker.pid)) && stdout.includes("0/3") && stdout;
      },
      20_000,
      "the worker listed with no job running",
    );
    const { stdout: overview } = await runTq(["stats", "--db", db]);
    assert(overview.includes("last hour: 1 finished, 0 failed"), overview);
    await worker.stop();
    // A stopped worker removes its entry.
    assertEquals(JSON.parse((await runTq(["workers", "--json", "--db", db])).stdout).workers, []);
  } finally {
    await worker.stop();
    await cleanup();
  }
});
