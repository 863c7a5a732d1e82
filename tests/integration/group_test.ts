/**
 * An ordered group across real worker processes: ten `record` jobs of one group, run by
 * two `tq worker` processes, start strictly in enqueue order and never overlap, while jobs
 * without a group, enqueued with them, run alongside and are done long before the group.
 */
import { Producer } from "../../src/producer.ts";
import { openKvStore } from "../../src/store/kv/kv_store.ts";
import { parseRecords, registry } from "../fixtures/tasks.ts";
import { assert, assertEquals } from "../assert.ts";
import { eventually, tempDb, TqProcess } from "./tq_process.ts";

Deno.test("a group of ten jobs runs in order without overlap on two workers while others flow", async () => {
  const { db, dir, cleanup } = await tempDb();
  const recordFile = `${dir}/runs.log`;
  const store = await openKvStore(db);
  const args = ["worker", "chaos", "--db", db, "--tasks", "tests/fixtures/tasks.ts"];
  const env = { TQ_RECORD_FILE: recordFile };
  const workers = [TqProcess.start(args, env), TqProcess.start(args, env)];
  try {
    await Promise.all(workers.map((w) => w.waitForLine((l) => l.event === "worker:started")));
    const producer = new Producer({ store, registry });
    const grouped = [];
    const others = [];
    for (let i = 0; i < 10; i++) {
      grouped.push(await producer.enqueue({ task: "record", input: { ms: 150 }, group: "g" }));
      others.push(await producer.enqueue({ task: "record", input: { ms: 150 } }));
      others.push(await producer.enqueue({ task: "record", input: { ms: 150 } }));
    }
    const all = [...grouped, ...others];
    await eventually(
      async () =>
        (await store.jobGetMany(all.map((j) => j.id))).every((j) => j?.state === "finished"),
      30_000,
      "all 30 jobs to finish",
    );
    const runs = parseRecords(await Deno.readTextFile(recordFile));
    const at = (kind: "start" | "end", id: string) =>
      runs.find((r) => r.kind === kind && r.job === id)!;
    const groupRuns = grouped.map((job) => ({
      start: at("start", job.id),
      end: at("end", job.id),
    }));
    for (let i = 1; i < groupRuns.length; i++) {
      assert(
        groupRuns[i].start.at >= groupRuns[i - 1].end.at,
        `group job ${i} started before job ${i - 1} ended`,
      );
    }
    assertEquals(runs.filter((r) => r.kind === "start").length, 30, "each job ran once");
    const lastOther = Math.max(...others.map((job) => at("end", job.id).at));
    assert(
      lastOther < groupRuns[9].start.at,
      "jobs without a group were held up behind the group",
    );
    const pids = new Set(groupRuns.map((run) => run.start.pid));
    console.log(`group: 10 jobs in order on ${pids.size} worker(s); 20 others done first`);
  } finally {
    store.close();
    await Promise.all(workers.map((w) => w.stop()));
    await cleanup();
  }
});
