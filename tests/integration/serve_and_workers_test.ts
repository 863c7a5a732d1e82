/**
 * End to end with real processes: `tq serve` and two `tq worker`s on one KV file; the
 * crash of a worker mid-job on every store of `process_stores.ts`.
 */
import { assert, assertEquals } from "../assert.ts";
import { eventually, type LogLine, tempDb, TqProcess } from "./tq_process.ts";
import { PROCESS_STORES } from "./process_stores.ts";

async function postJson(url: string, body: unknown) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

async function queueCounts(base: string, queue: string) {
  const { queues } = await (await fetch(`${base}/queues`)).json();
  return queues.find((q: { name: string }) => q.name === queue);
}

/** A `tq_jobs_<event>_total` counter of the noop task in the default queue, from `/metrics`. */
async function counter(base: string, event: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const name = `tq_jobs_${event}_total{queue="default",task="noop"} `;
  const line = text.split("\n").find((l) => l.startsWith(name));
  return line === undefined ? 0 : Number(line.slice(name.length));
}

const startedIds = (lines: LogLine[]) =>
  lines.filter((l) => l.event === "job:started").map((l) => l.job_id as string);

Deno.test("1,000 jobs posted over HTTP each run exactly once across two workers, counted in /metrics", async () => {
  const { db, cleanup } = await tempDb();
  const server = TqProcess.start(["serve", "--port", "0", "--db", db]);
  const workers = [0, 1].map(() => TqProcess.start(["worker", "default", "--db", db]));
  try {
    const base = await server.url();
    await Promise.all(workers.map((w) => w.waitForLine((l) => l.event === "worker:started")));
    const ids: string[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => postJson(`${base}/jobs`, { task: "noop", input: {} })),
      );
      for (const answer of answers) {
        assertEquals(answer.status, 202);
        assertEquals(answer.headers.get("location"), `/jobs/${answer.body.job_id}`);
        ids.push(answer.body.job_id);
      }
    }
    await eventually(async () => (await queueCounts(base, "default"))?.finished === 1000, 60_000);
    const counts = await queueCounts(base, "default");
    assertEquals([counts.queued, counts.started, counts.failed], [0, 0, 0]);
    const runs = workers.flatMap((w) => startedIds(w.lines));
    assertEquals(runs.length, 1000, "every job started exactly once");
    assertEquals(new Set(runs), new Set(ids));
    assert(workers.every((w) => startedIds(w.lines).length > 0), "both workers took jobs");
    const sample = await (await fetch(`${base}/jobs/${ids[0]}`)).json();
    assertEquals([sample.status, sample.attempts], ["finished", 1]);
    // Each process stores what it counted once a second: the server's /metrics adds them up.
    const counted = async () =>
      (await Promise.all(["enqueued", "started", "finished"].map((event) => counter(base, event))))
        .every((n) => n === 1000);
    await eventually(counted, 10_000);
  } finally {
    await Promise.all([server, ...workers].map((p) => p.stop()));
    await cleanup();
  }
});

for (const [backend, open] of Object.entries(PROCESS_STORES)) {
  Deno.test(`[${backend}] a job whose worker is killed mid-run finishes on another worker after its lease`, async () => {
    const store = await open();
    const env = { TQ_EMAIL_LATENCY_MS: "1500" };
    const server = TqProcess.start(["serve", "--port", "0", ...store.args]);
    const worker = () =>
      TqProcess.start(["worker", "notifications", "--lease", "2s", ...store.args], env);
    const doomed = worker();
    let rescuer: TqProcess | undefined;
    try {
      const base = await server.url();
      const { body } = await postJson(`${base}/tasks/send_notification`, {
        email: "ada@example.com",
        message: "your video is ready",
      });
      await doomed.waitForLine((l) => l.event === "job:started" && l.job_id === body.job_id);
      doomed.kill("SIGKILL");
      await doomed.exit();
      rescuer = worker();
      const job = await eventually(
        async () => {
          const job = await (await fetch(`${base}/jobs/${body.job_id}`)).json();
          return job.status === "finished" && job;
        },
        30_000,
        "the job to finish on the second worker",
      );
      assertEquals(job.attempts, 2);
      assertEquals(job.errors.length, 1, "the lost attempt is in the history");
      assert(job.worker_id !== undefined);
      assertEquals(startedIds(rescuer.lines), [body.job_id]);
    } finally {
      await Promise.all([server.stop(), rescuer?.stop()]);
      await store.cleanup();
    }
  });
}

Deno.test("SIGTERM lets running jobs finish before the worker exits", async () => {
  const { db, cleanup } = await tempDb();
  const env = { TQ_EMAIL_LATENCY_MS: "1000" };
  const server = TqProcess.start(["serve", "--port", "0", "--db", db]);
  const worker = TqProcess.start(["worker", "notifications", "--db", db], env);
  try {
    const base = await server.url();
    const { body } = await postJson(`${base}/tasks/send_notification`, {
      email: "grace@example.com",
      message: "weekly digest",
    });
    await worker.waitForLine((l) => l.event === "job:started" && l.job_id === body.job_id);
    const { code } = await worker.stop("SIGTERM");
    assertEquals(code, 0);
    const job = await (await fetch(`${base}/jobs/${body.job_id}`)).json();
    assertEquals(job.status, "finished");
    assertEquals(job.result.status, "sent");
  } finally {
    await server.stop();
    await cleanup();
  }
});
