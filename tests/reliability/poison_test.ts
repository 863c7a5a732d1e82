/**
 * Poison jobs: a handler that kills its process (exit, out of memory) or wedges it (a
 * synchronous loop, past its timeout, that starves the heartbeat) is not retried forever.
 * Each lost attempt is counted when its lease expires; after `max_attempts` (2 for the
 * `poison` fixture) the job is `failed` with errors saying the worker died.
 *
 * The test plays the process supervisor (systemd, Kubernetes): it restarts a worker that
 * exited and kills one whose job's lease ran out while it still holds it (a liveness probe).
 */
import { Producer } from "../../src/producer.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import type { Store } from "../../src/store/store.ts";
import { registry } from "../fixtures/tasks.ts";
import { assert, assertEquals } from "../assert.ts";
import { tempDb, TqProcess } from "../integration/tq_process.ts";

const DEADLINE_MS = 40_000;

/** Runs one worker at a time until the job ends; answers how many workers it took. */
async function supervise(store: Store, db: string, id: string): Promise<number> {
  const deadline = Date.now() + DEADLINE_MS;
  let workers = 0;
  while (Date.now() < deadline) {
    const job = await store.jobGet(id);
    if (job?.state === "failed" || job?.state === "finished") return workers;
    workers++;
    const worker = TqProcess.start(
      ["worker", "poison", "--lease", "1s", "--db", db, "--tasks", "tests/fixtures/tasks.ts"],
      { DENO_V8_FLAGS: "--max-old-space-size=64", TQ_LOG_LEVEL: "warn" },
    );
    let exited = false;
    const exit = worker.exit().then(() => exited = true);
    while (!exited && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = await store.jobGet(id);
      const wedged = now?.state === "started" && now.leaseExpiresAt! < Date.now() &&
        now.workerId?.split(":")[1] === String(worker.pid);
      if (wedged || now?.state === "failed") worker.kill("SIGKILL");
    }
    await exit;
  }
  throw new Error(`the poison job did not end within ${DEADLINE_MS} ms`);
}

for (const how of ["exit", "oom", "loop"] as const) {
  Deno.test(`a job whose handler ${how}s its worker fails after max_attempts lease expiries`, async () => {
    const { db, cleanup } = await tempDb();
    const store = await openKvStore(db);
    try {
      const producer = new Producer({ store, registry });
      const { id } = await producer.enqueue({ task: "poison", input: { how } });
      const workers = await supervise(store, db, id);
      const job = (await store.jobGet(id))!;
      console.log(`poison (${how}): failed after ${job.attempts} attempts, ${workers} workers`);
      assertEquals([job.state, job.attempts, job.errors.length], ["failed", 2, 2]);
      for (const error of job.errors) {
        assertEquals(error.name, "LeaseExpiredError");
        assert(error.message.includes("died"), error.message);
      }
      assert(workers <= 3, `${workers} workers were needed`);
    } finally {
      store.close();
      await cleanup();
    }
  });
}
