/**
 * External tasks in real `tq` processes: `tq start` (serve + worker) runs the TypeScript
 * task, leaves the external one queued for protocol workers and says so at start-up; and
 * `tq worker` asked only for an external queue refuses to start.
 */
import { assert, assertEquals } from "../assert.ts";
import { eventually, runTq, tempDb, TqProcess } from "./tq_process.ts";

const TASKS = "tests/fixtures/external_tasks.ts";

Deno.test("tq start runs TypeScript tasks, never claims external ones, and logs why", async () => {
  const temp = await tempDb();
  const tq = TqProcess.start(["start", "--port", "0", "--db", temp.db, "--tasks", TASKS]);
  try {
    const url = await tq.url();
    const skipped = await tq.waitForLine((l) => l.event === "worker:external_queues_skipped");
    assertEquals([skipped.queues, skipped.tasks], [["python"], ["py_work", "py_noop"]]);
    const enqueue = async (task: string) => {
      const res = await fetch(`${url}/jobs`, {
        method: "POST",
        body: JSON.stringify({ task, input: {} }),
        headers: { "content-type": "application/json" },
      });
      return (await res.json()).job_id as string;
    };
    const external = await enqueue("py_noop");
    const ts = await enqueue("ts_noop");
    const status = async (id: string) => (await (await fetch(`${url}/jobs/${id}`)).json()).status;
    await eventually(async () => await status(ts) === "finished", 10_000, "the TS job");
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    assertEquals(await status(external), "queued");
  } finally {
    await tq.stop();
    await temp.cleanup();
  }
});

Deno.test("tq worker refuses to serve only queues of external tasks", async () => {
  const temp = await tempDb();
  try {
    const { code, stderr } = await runTq(["worker", "python", "--db", temp.db, "--tasks", TASKS]);
    assertEquals(code, 2, stderr);
    assert(stderr.includes("external tasks only"), stderr);
  } finally {
    await temp.cleanup();
  }
});

Deno.test("tq serve stops at once while a protocol worker's claim is long-polling", async () => {
  const temp = await tempDb();
  const tq = TqProcess.start(["serve", "--port", "0", "--db", temp.db, "--tasks", TASKS]);
  try {
    const url = await tq.url();
    const claim = fetch(`${url}/worker/claim`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ queues: ["python"], worker: "py-1", wait_ms: 30_000 }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    assertEquals((await tq.stop()).code, 0);
    assert(Date.now() - started < 5_000, "the long poll did not hold the shutdown");
    const res = await claim;
    assertEquals([res.status, await res.json()], [200, { jobs: [] }]);
  } finally {
    await temp.cleanup();
  }
});
