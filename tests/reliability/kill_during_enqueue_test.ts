/**
 * SIGKILL during enqueue: each commit is all or nothing. Killed mid-stream, a process
 * enqueueing batches leaves a whole number of batches; `tq serve` killed under concurrent
 * POSTs leaves every acknowledged (202) job, at most the unanswered ones besides, and a
 * file where every job has exactly its index entries, no entry is an orphan and the
 * counters match (`consistency.ts`). Batches are enqueued with `Producer.enqueueMany` from
 * a subprocess, and as one `POST /jobs/bulk` of 10,000 jobs to a `tq serve` killed midway,
 * whose client then learns from a repeat of the request with its idempotency key which
 * jobs exist.
 */
import { assert, assertEquals } from "../assert.ts";
import { tempDb, TqProcess } from "../integration/tq_process.ts";
import { countKey } from "../../src/store/kv/keys.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { checkConsistency } from "./consistency.ts";

const BATCH = 137;

function enqueueLoop(db: string, queue: string, batch: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tests/fixtures/enqueue_loop.ts", db, queue, String(batch)],
    cwd: new URL("../../", import.meta.url),
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let commits = 0;
  const reading = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      commits += chunk.split("\n").filter((line) => line.startsWith("committed")).length;
    }
  })();
  return {
    async kill() {
      child.kill("SIGKILL");
      await child.status;
      await reading;
      return commits;
    },
  };
}

async function jobsIn(db: string, queue: string): Promise<number> {
  const kv = await Deno.openKv(db);
  try {
    let n = 0;
    for await (const entry of kv.list<{ queue: string }>({ prefix: ["job"] })) {
      if (entry.value.queue === queue) n++;
    }
    return n;
  } finally {
    kv.close();
  }
}

Deno.test("SIGKILL during batched and single enqueues leaves whole commits only", async () => {
  const { db, cleanup } = await tempDb();
  try {
    let batches = 0;
    let singles = 0;
    for (let round = 0; round < 3; round++) {
      const batched = enqueueLoop(db, "batch", BATCH);
      const single = enqueueLoop(db, "single", 1);
      await new Promise((resolve) => setTimeout(resolve, 1_500 + Math.random() * 1_000));
      const [b, s] = await Promise.all([batched.kill(), single.kill()]);
      batches += b;
      singles += s;
      const inBatch = await jobsIn(db, "batch");
      assertEquals(inBatch % BATCH, 0, `${inBatch} jobs: a batch was written in part`);
      const wholeBatches = inBatch / BATCH;
      assert(wholeBatches - batches <= round + 1, "more batches than were sent");
      assert(wholeBatches >= batches, "an acknowledged batch is missing");
      const inSingle = await jobsIn(db, "single");
      assert(inSingle >= singles && inSingle - singles <= round + 1, `${inSingle} vs ${singles}`);
    }
    const report = await checkConsistency(db);
    console.log(
      `killed enqueuers: ${report.jobs} jobs (${batches} acknowledged batches of ${BATCH}, ` +
        `${singles} single jobs), ${report.indexEntries} index entries, ` +
        `${report.problems.length} problems`,
    );
    assertEquals(report.problems, []);
  } finally {
    await cleanup();
  }
});

Deno.test("tq serve killed with SIGKILL under concurrent POSTs keeps every 202 job", async () => {
  const { db, cleanup } = await tempDb();
  const server = TqProcess.start(["serve", "--port", "0", "--db", db]);
  try {
    const base = await server.url();
    const acknowledged: string[] = [];
    let unanswered = 0;
    let killed = false;
    const client = async () => {
      while (!killed) {
        try {
          const res = await fetch(`${base}/jobs`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ task: "noop", input: {} }),
          });
          if (res.status === 202) acknowledged.push((await res.json()).job_id);
          else await res.body?.cancel();
        } catch {
          unanswered++;
          return;
        }
      }
    };
    const clients = Array.from({ length: 20 }, client);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    server.kill("SIGKILL");
    await server.exit();
    killed = true;
    await Promise.all(clients);

    const kv = await Deno.openKv(db);
    const found = (await Promise.all(acknowledged.map((id) => kv.get(["job", id]))))
      .filter((entry) => entry.versionstamp !== null).length;
    kv.close();
    const report = await checkConsistency(db);
    console.log(
      `killed tq serve: ${acknowledged.length} jobs acknowledged, ${unanswered} requests ` +
        `unanswered, ${report.jobs} jobs stored, ${report.problems.length} problems`,
    );
    assertEquals(found, acknowledged.length, "an acknowledged job is missing");
    assert(report.jobs - acknowledged.length <= unanswered, "jobs nobody asked for");
    assertEquals(report.problems, []);
  } finally {
    await server.stop();
    await cleanup();
  }
});

/** Sends one bulk request of 10,000 jobs; resolves to its status, or null without answer. */
function postBulk(base: string, body: string): Promise<number | null> {
  return fetch(`${base}/jobs/bulk`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  }).then(async (res) => (await res.body?.cancel(), res.status), () => null);
}

Deno.test("tq serve SIGKILLed during a bulk request of 10,000 jobs leaves whole commits, and a repeat with the key tells which jobs exist", async () => {
  const { db, cleanup } = await tempDb();
  const jobs = Array.from({ length: 10_000 }, (_, i) => ({ task: "noop", input: { i } }));
  const body = JSON.stringify({ jobs, idempotency_key: "nightly-import" });
  const server = TqProcess.start(["serve", "--port", "0", "--db", db]);
  let again: TqProcess | undefined;
  try {
    const sent = postBulk(await server.url(), body);
    // Kill once the key's job and a first commit of many are in the file, long before the last.
    const kv = await Deno.openKv(db);
    while (((await kv.get<Deno.KvU64>(countKey("default", "queued"))).value?.value ?? 0n) < 2n) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    kv.close();
    server.kill("SIGKILL");
    await server.exit();
    assertEquals(await sent, null, "the bulk request was answered before the kill");

    const report = await checkConsistency(db);
    const store = await openKvStore(db);
    const perCommit = store.maxInsertBatch;
    store.close();
    const stored = report.jobs;
    console.log(
      `killed tq serve mid-bulk: ${stored} of 10,000 jobs stored (the key's job, then ` +
        `${(stored - 1) / perCommit} commits of ${perCommit}), ${report.problems.length} problems`,
    );
    assertEquals(report.problems, []);
    assert(stored > 0 && stored < 10_000, `${stored} jobs stored`);
    assertEquals((stored - 1) % perCommit, 0, `${stored} jobs: a commit was written in part`);

    again = TqProcess.start(["serve", "--port", "0", "--db", db]);
    const base = await again.url();
    const repeat = await fetch(`${base}/jobs/bulk`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    assertEquals(repeat.status, 200, "the repeat is answered as a repeat");
    const answer = await repeat.json();
    assertEquals(answer.job_ids.length, stored);
    const notStored = answer.rejected.map((r: { index: number }) => r.index);
    assertEquals(notStored, Array.from({ length: 10_000 - stored }, (_, i) => stored + i));
    const batch = await (await fetch(`${base}${answer.status_url}`)).json();
    assertEquals([batch.total, batch.queued], [stored, stored]);

    // The client sends the rest again; every job then exists once.
    const rest = await fetch(`${base}/jobs/bulk`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jobs: notStored.map((i: number) => jobs[i]) }),
    });
    assertEquals(rest.status, 202);
    await rest.body?.cancel();
    await again.stop();
    const final = await checkConsistency(db);
    assertEquals([final.jobs, final.problems], [10_000, []]);
  } finally {
    await server.stop();
    await again?.stop();
    await cleanup();
  }
});
