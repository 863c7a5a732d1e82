/**
 * A job asleep in `ctx.sleep` survives the SIGKILL of the `tq worker` that ran it: another
 * worker process finishes it once the sleep is over, and the step before the sleep never
 * runs again. Real processes on a KV file, a real redis-server and a real PostgreSQL, real
 * time.
 */
import { assert, assertEquals } from "../assert.ts";
import { parseRecords } from "../fixtures/tasks.ts";
import { eventually, tempDb, TqProcess } from "../integration/tq_process.ts";
import { RedisServer } from "../store/redis_server.ts";
import { PostgresServer } from "../store/postgres_server.ts";
import { Producer } from "../../src/producer.ts";
import { Registry } from "../../src/registry/registry.ts";
import { durableNap } from "../fixtures/tasks.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { openPostgresStore } from "../../src/store/postgres/postgres_store.ts";
import type { Store } from "../../src/store/store.ts";

const FIXTURES = "tests/fixtures/tasks.ts";

async function sleepThroughKill(store: Store, storeArgs: string[], recordFile: string) {
  const env = { TQ_RECORD_FILE: recordFile };
  const start = () => TqProcess.start(["worker", "naps", "--tasks", FIXTURES, ...storeArgs], env);
  const first = start();
  let second: TqProcess | undefined;
  try {
    await first.waitForLine((l) => l.event === "worker:started");
    const producer = new Producer({ store, registry: new Registry([durableNap]) });
    const { id } = await producer.enqueue({ task: "durable_nap", input: { ms: 2_000 } });
    const asleep = await eventually(
      async () => {
        const job = await store.jobGet(id);
        return job?.state === "scheduled" && job.steps?.length === 2 && job;
      },
      20_000,
      "the job to sleep",
    );
    assertEquals([asleep.attempts, asleep.steps?.[1].state], [0, "sleeping"]);
    first.kill("SIGKILL");
    await first.exit();
    second = start();
    const done = await eventually(
      async () => {
        const job = await store.jobGet(id);
        return job?.state === "finished" && job;
      },
      30_000,
      "the job to finish on the second worker",
    );
    assertEquals(done.result, { pid: second.pid });
    const runs = parseRecords(await Deno.readTextFile(recordFile));
    assertEquals(runs.map((r) => [r.kind, r.pid]), [["start", first.pid], ["end", second.pid]]);
    assert(first.pid !== second.pid);
  } finally {
    first.kill("SIGKILL");
    await first.exit();
    await second?.stop();
  }
}

Deno.test("kv: a job sleeping 2 s survives the SIGKILL of its worker and finishes on another", async () => {
  const { db, dir, cleanup } = await tempDb();
  const store = await openKvStore(db);
  try {
    await sleepThroughKill(store, ["--db", db], `${dir}/runs.log`);
  } finally {
    store.close();
    await cleanup();
  }
});

Deno.test("redis: a job sleeping 2 s survives the SIGKILL of its worker and finishes on another", async () => {
  const redis = await RedisServer.start();
  const { dir, cleanup } = await tempDb();
  const store = await openRedisStore(redis.url, { prefix: "naps" });
  try {
    await sleepThroughKill(
      store,
      ["--redis", redis.url, "--redis-prefix", "naps"],
      `${dir}/runs.log`,
    );
  } finally {
    store.close();
    await redis.stop();
    await cleanup();
  }
});

Deno.test("postgres: a job sleeping 2 s survives the SIGKILL of its worker and finishes on another", async () => {
  const server = await PostgresServer.start();
  const { dir, cleanup } = await tempDb();
  const store = await openPostgresStore(server.url, { schema: "naps" });
  try {
    await sleepThroughKill(
      store,
      ["--postgres", server.url, "--postgres-schema", "naps"],
      `${dir}/runs.log`,
    );
  } finally {
    store.close();
    await server.stop();
    await cleanup();
  }
});
