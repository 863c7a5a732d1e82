/**
 * An ordered group across real worker processes: ten `record` jobs of one group, run by
 * two `tq worker` processes, start strictly in enqueue order and never overlap, while jobs
 * without a group, enqueued with them, run alongside and are done long before the group.
 */
import { assert, assertEquals } from "../assert.ts";
import { eventually } from "./tq_process.ts";
import { withRecordWorkers } from "./record_workers.ts";

Deno.test("a group of ten jobs runs in order without overlap on two workers while others flow", async () => {
  await withRecordWorkers(async ({ store, producer, runs: recorded }) => {
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
    const runs = await recorded();
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
  });
});
