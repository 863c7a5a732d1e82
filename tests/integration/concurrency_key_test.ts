/**
 * Per-key concurrency across real worker processes: twelve `record` jobs of one key with
 * limit 2, run by two `tq worker` processes, never have more than two running at once,
 * while six jobs of another key, enqueued after them, are done before the first key's
 * backlog.
 */
import { assert, assertEquals } from "../assert.ts";
import { eventually } from "./tq_process.ts";
import { withRecordWorkers } from "./record_workers.ts";

Deno.test("a key's limit holds across two worker processes, and another key is not held up", async () => {
  await withRecordWorkers(async ({ store, producer, runs: recorded }) => {
    const enqueue = (key: string) =>
      producer.enqueue({
        task: "record",
        input: { ms: 200 },
        concurrencyKey: key,
        concurrencyLimit: 2,
      });
    const busy = [];
    for (let i = 0; i < 12; i++) busy.push(await enqueue("tenant:a"));
    const light = [];
    for (let i = 0; i < 6; i++) light.push(await enqueue("tenant:b"));
    const all = [...busy, ...light];
    await eventually(
      async () =>
        (await store.jobGetMany(all.map((j) => j.id))).every((j) => j?.state === "finished"),
      30_000,
      "all 18 jobs to finish",
    );
    const runs = await recorded();
    assertEquals(runs.filter((r) => r.kind === "start").length, 18, "each job ran once");
    const at = (kind: "start" | "end", id: string) =>
      runs.find((r) => r.kind === kind && r.job === id)!.at;
    const mostAtOnce = (jobs: { id: string }[]) =>
      Math.max(...jobs.map((job) => {
        const start = at("start", job.id);
        return jobs.filter((other) => at("start", other.id) <= start && at("end", other.id) > start)
          .length;
      }));
    assert(mostAtOnce(busy) <= 2, `${mostAtOnce(busy)} jobs of tenant:a ran at once`);
    assert(mostAtOnce(light) <= 2, `${mostAtOnce(light)} jobs of tenant:b ran at once`);
    const lightDone = Math.max(...light.map((job) => at("end", job.id)));
    const busyDone = Math.max(...busy.map((job) => at("end", job.id)));
    assert(lightDone < busyDone, "tenant:b's jobs waited behind tenant:a's backlog");
    console.log(`concurrency: at most ${mostAtOnce(busy)} of tenant:a at once on two workers`);
  });
});
