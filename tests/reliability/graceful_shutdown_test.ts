/**
 * Graceful shutdown: SIGTERM while jobs run. Those that end within `--shutdown-timeout`
 * finish on the stopping worker; the rest are released (the attempt does not count) and
 * finish on another worker. The stopping worker exits 0, soon after the timeout.
 */
import { Producer } from "../../src/producer.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { registry } from "../fixtures/tasks.ts";
import { assert, assertEquals } from "../assert.ts";
import { eventually, tempDb, TqProcess } from "../integration/tq_process.ts";

Deno.test("SIGTERM: short jobs finish in the shutdown timeout, long ones finish elsewhere", async () => {
  const { db, cleanup } = await tempDb();
  const store = await openKvStore(db);
  const args = ["worker", "slow", "--shutdown-timeout", "3s", "--db", db, "--tasks"];
  const first = TqProcess.start([...args, "tests/fixtures/tasks.ts"]);
  let second: TqProcess | undefined;
  try {
    const producer = new Producer({ store, registry });
    const short = await producer.enqueueMany(
      Array.from({ length: 4 }, () => ({ task: "sleep", input: { ms: 1_000 } })),
    );
    const long = await producer.enqueueMany(
      Array.from({ length: 4 }, () => ({ task: "sleep", input: { ms: 8_000 } })),
    );
    await eventually(
      async () =>
        (await store.jobGetMany([...short, ...long].map((j) => j.id))).every((j) =>
          j?.state === "started"
        ),
      20_000,
      "all eight jobs to start",
    );
    const signalled = Date.now();
    const { code } = await first.stop("SIGTERM");
    const stopMs = Date.now() - signalled;
    assertEquals(code, 0);
    assert(stopMs < 6_000, `the worker took ${stopMs} ms to stop`);

    const afterStop = await store.jobGetMany(long.map((j) => j.id));
    assertEquals(afterStop.map((j) => [j?.state, j?.attempts]), long.map(() => ["queued", 0]));
    for (const job of await store.jobGetMany(short.map((j) => j.id))) {
      assertEquals([job?.state, (job?.result as { pid: number }).pid], ["finished", first.pid]);
    }

    second = TqProcess.start([...args, "tests/fixtures/tasks.ts"]);
    const sleptOut = await eventually(
      async () => {
        const jobs = await store.jobGetMany(long.map((j) => j.id));
        return jobs.every((j) => j?.state === "finished") && jobs;
      },
      40_000,
      "the released jobs to finish on the second worker",
    );
    for (const job of sleptOut) {
      assertEquals((job!.result as { pid: number }).pid, second.pid);
      assertEquals([job!.attempts, job!.errors.length], [1, 0], "a release is not a failure");
    }
    console.log(`graceful shutdown: stopped in ${stopMs} ms; 4 finished, 4 released and rerun`);
  } finally {
    store.close();
    await Promise.all([first.stop(), second?.stop()]);
    await cleanup();
  }
});
