/**
 * Job statistics across real processes: each `tq` process counts the jobs it writes and
 * stores its counts once a second, so the server's `/metrics` adds up what every worker
 * process did.
 */
import { assertEquals } from "../assert.ts";
import { eventually, tempDb, TqProcess } from "./tq_process.ts";

async function counter(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{queue="default",task="noop"} `));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

Deno.test("/metrics of the server counts the jobs of every worker process", async () => {
  const { db, cleanup } = await tempDb();
  const server = TqProcess.start(["serve", "--port", "0", "--db", db]);
  const workers = [0, 1].map(() => TqProcess.start(["worker", "default", "--db", db]));
  try {
    const base = await server.url();
    await Promise.all(workers.map((w) => w.waitForLine((l) => l.event === "worker:started")));
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${base}/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ task: "noop", input: {} }),
      });
      assertEquals(res.status, 202);
      await res.body?.cancel();
    }
    assertEquals(await counter(base, "tq_jobs_enqueued_total"), 40); // the server's own
    const finished = async () =>
      (await (await fetch(`${base}/queues`)).json()).queues[0]?.finished === 40;
    await eventually(finished, 60_000);
    const counted = async () =>
      await counter(base, "tq_jobs_started_total") === 40 &&
      await counter(base, "tq_jobs_finished_total") === 40;
    await eventually(counted, 10_000);
  } finally {
    await Promise.all([server, ...workers].map((p) => p.stop()));
    await cleanup();
  }
});
