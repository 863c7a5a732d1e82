/**
 * Chaos: `tq serve` and three `tq worker`s on one store (a KV file, PostgreSQL: every store
 * of `process_stores.ts`); 5,000 jobs posted over HTTP;
 * every ~2 s a random worker is killed with SIGKILL and a new one started. At the end
 * every job is finished, none is missing or stuck, and the execution record (written by
 * the handlers) shows reruns only where a worker died mid-run, never two at once.
 */
import { parseRecords } from "../fixtures/tasks.ts";
import { assert, assertEquals } from "../assert.ts";
import { eventually, TqProcess } from "../integration/tq_process.ts";
import { PROCESS_STORES, type ProcessStore } from "../integration/process_stores.ts";
import { analyseExecutions } from "./executions.ts";

const JOBS = 5_000;
const KILL_EVERY_MS = 2_000;
/** Kills stop after this long even if jobs remain; the rest must then finish on their own. */
const CHAOS_MS = 60_000;
const FIXTURES = "tests/fixtures/tasks.ts";
/**
 * Long enough that a live worker's heartbeat (every lease/3) keeps its leases through the
 * CPU starvation of a full parallel test run on two cores; a 2 s lease was seen to expire
 * under a live worker there, which is a (legitimate) rerun this test would call unexplained.
 */
const LEASE = "5s";

async function queueCounts(base: string) {
  const { queues } = await (await fetch(`${base}/queues`)).json();
  return queues.find((q: { name: string }) => q.name === "chaos");
}

async function postJobs(base: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 50) {
    const answers = await Promise.all(Array.from({ length: Math.min(50, count - i) }, async () => {
      const res = await fetch(`${base}/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          task: "record",
          input: { ms: 200 + Math.floor(Math.random() * 800) },
        }),
      });
      assertEquals(res.status, 202);
      return (await res.json()).job_id as string;
    }));
    ids.push(...answers);
  }
  return ids;
}

async function finishedJobs(base: string): Promise<Map<string, { result: { pid: number } }>> {
  const jobs = new Map();
  let cursor = "";
  do {
    const page = await (await fetch(`${base}/jobs?status=finished&limit=500${cursor}`)).json();
    for (const job of page.jobs) jobs.set(job.id, job);
    cursor = page.next_cursor ? `&cursor=${page.next_cursor}` : "";
  } while (cursor);
  return jobs;
}

for (const [backend, open] of Object.entries(PROCESS_STORES)) {
  Deno.test(`[${backend}] chaos: 5,000 jobs survive SIGKILLed workers, none lost, none run twice at once`, () =>
    chaos(open));
}

async function chaos(open: () => Promise<ProcessStore>): Promise<void> {
  const store = await open();
  const record = `${store.dir}/executions.log`;
  const env = { TQ_RECORD_FILE: record, TQ_LOG_LEVEL: "warn" };
  const args = [...store.args, "--tasks", FIXTURES];
  const startWorker = () =>
    TqProcess.start(["worker", "chaos", "--lease", LEASE, "--concurrency", "50", ...args], env);
  const server = TqProcess.start(["serve", "--port", "0", ...args]);
  const workers = [startWorker(), startWorker(), startWorker()];
  const deadAt = new Map<number, number>();
  let stopChaos = false;
  const killing = (async () => {
    const until = Date.now() + CHAOS_MS;
    while (!stopChaos && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS * (0.5 + Math.random())));
      if (stopChaos) break;
      const i = Math.floor(Math.random() * workers.length);
      const victim = workers[i];
      victim.kill("SIGKILL");
      await victim.exit();
      deadAt.set(victim.pid, Date.now());
      workers[i] = startWorker();
    }
  })();
  try {
    const base = await server.url();
    const started = Date.now();
    const ids = await postJobs(base, JOBS);
    const postedMs = Date.now() - started;
    await eventually(
      async () => (await queueCounts(base))?.finished === JOBS,
      90_000,
      "every job to finish",
    );
    stopChaos = true;
    await killing;
    const counts = await queueCounts(base);
    const finished = await finishedJobs(base);
    const missing = ids.filter((id) => !finished.has(id));
    const stuck = counts.queued + counts.scheduled + counts.started;
    const report = analyseExecutions(parseRecords(await Deno.readTextFile(record)), deadAt);
    const lastPidMatches = ids.filter((id) =>
      report.byJob.get(id)?.at(-1)?.pid === finished.get(id)?.result.pid
    ).length;
    console.log(
      [
        `chaos: ${JOBS} jobs posted in ${postedMs} ms, all finished after ${
          Date.now() - started
        } ms`,
        `  workers killed with SIGKILL: ${deadAt.size}`,
        `  finished ${finished.size}, missing ${missing.length}, stuck ${stuck}, failed ${counts.failed}`,
        `  executions ${report.executions}: ${report.jobsRunTwice} jobs ran more than once ` +
        `(${report.reruns} reruns), ${report.unexplained.length} without a dead worker`,
        `  overlapping executions of one job: ${report.overlaps.length}; ` +
        `shortest hand-over after a worker's death or end: ${report.minHandoverMs} ms`,
      ].join("\n"),
    );
    assertEquals([finished.size, missing.length, stuck, counts.failed], [JOBS, 0, 0, 0]);
    assert(deadAt.size >= 3, `only ${deadAt.size} kills: the chaos did not bite`);
    assertEquals(report.unexplained, [], "a job ran again though no worker died running it");
    assertEquals(report.overlaps, [], "two executions of one job overlapped");
    assertEquals(lastPidMatches, JOBS, "each job's result comes from its last execution");
  } finally {
    stopChaos = true;
    await killing;
    await Promise.all([server, ...workers].map((p) => p.stop()));
    await store.cleanup();
  }
}
