/**
 * The PostgreSQL store's connections. A store transaction whose server connection is
 * terminated mid-way (`pg_terminate_backend`, as a failover or an administrator does) fails
 * with `StoreUnavailableError` instead of hanging, and the store's next write succeeds on a
 * fresh connection: the server rolls the lost transaction back by itself, and a ROLLBACK sent
 * on the closed connection would never be answered by postgres.js. `tq.close()` settles once
 * the pool's connections have ended.
 */
import postgres from "postgres";
import { z } from "zod";
import { connect } from "../../src/connect.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { assertEquals, assertRejects } from "../assert.ts";
import { StoreUnavailableError } from "../../src/errors.ts";
import { newJobId } from "../../src/ids.ts";
import { openPostgresStore } from "../../src/store/postgres/postgres_store.ts";
import { SqlNames } from "../../src/store/postgres/schema.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { waitFor } from "../worker/helpers.ts";
import { PostgresServer } from "./postgres_server.ts";

/** `promise`, or a failure once `ms` have passed without it settling (a hang fails, not stalls). */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const server = await PostgresServer.start();
globalThis.addEventListener("unload", () => server.stopNow());

/** Holds tq's `jobs` table locked from `admin`: the store's writes wait inside their transaction. */
async function lockJobs(admin: postgres.Sql, names: SqlNames) {
  const locker = await admin.reserve();
  await locker.unsafe("BEGIN");
  await locker.unsafe(`LOCK TABLE ${names.table("jobs")} IN ACCESS EXCLUSIVE MODE`);
  return {
    /** The server process of the one write waiting on the lock, once it waits. */
    async waiter(): Promise<number> {
      let waiting: { pid: number }[] = [];
      await waitFor(async () => {
        waiting = await admin.unsafe(
          `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        return waiting.length === 1;
      }, "a write waiting for the lock");
      return waiting[0].pid;
    },
    async release() {
      await locker.unsafe("ROLLBACK");
      locker.release();
    },
  };
}

Deno.test("[postgres] a write whose connection is terminated fails as unavailable and the next one succeeds", async () => {
  const names = new SqlNames(server.freshSchema());
  const store = await openPostgresStore(server.url, { schema: names.schema });
  const admin = postgres(server.url, { max: 2, onnotice: () => {} });
  const job = (input: number) =>
    createJob({ id: newJobId(Date.now()), task: "t", input }, Date.now());
  try {
    const lock = await lockJobs(admin, names);
    const insert = store.jobInsertMany({ jobs: [job(1)] });
    await admin.unsafe("SELECT pg_terminate_backend($1)", [await lock.waiter()]);
    await assertRejects(() => within(10_000, insert), StoreUnavailableError, "unavailable");
    await lock.release();
    const kept = job(2);
    await store.jobInsertMany({ jobs: [kept] });
    assertEquals((await store.jobGet(kept.id))?.input, 2);
    assertEquals((await store.queueCounts())[0].queued, 1, "the lost insert left nothing");
  } finally {
    await admin.end();
    await store.close();
  }
});

Deno.test("[postgres] tq.close() lets a write in flight finish and settles after it", async () => {
  const names = new SqlNames(server.freshSchema());
  const admin = postgres(server.url, { max: 2, onnotice: () => {} });
  const ship = defineTask({ name: "ship", input: z.object({}), handler: () => {} });
  const tq = await connect({
    registry: new Registry([ship]),
    postgres: server.url,
    postgresSchema: names.schema,
  });
  try {
    const lock = await lockJobs(admin, names);
    const settled: string[] = [];
    const enqueued = ship.enqueue({}).then(() => settled.push("enqueue"));
    await lock.waiter();
    const closed = tq.close().then(() => settled.push("close"));
    await lock.release();
    await Promise.all([enqueued, closed]);
    assertEquals(settled, ["enqueue", "close"]);
  } finally {
    await admin.end();
  }
});
