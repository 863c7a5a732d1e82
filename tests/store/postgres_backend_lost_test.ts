/**
 * A store transaction whose server connection is terminated mid-way (`pg_terminate_backend`,
 * as a failover or an administrator does) fails with `StoreUnavailableError` instead of
 * hanging, and the store's next write succeeds on a fresh connection. The server rolls the
 * lost transaction back by itself: a ROLLBACK sent on the closed connection would never be
 * answered by postgres.js.
 */
import postgres from "postgres";
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

Deno.test("[postgres] a write whose connection is terminated fails as unavailable and the next one succeeds", async () => {
  const names = new SqlNames(server.freshSchema());
  const store = await openPostgresStore(server.url, { schema: names.schema });
  const admin = postgres(server.url, { max: 2, onnotice: () => {} });
  const job = (input: number) =>
    createJob({ id: newJobId(Date.now()), task: "t", input }, Date.now());
  try {
    // A lock held elsewhere keeps the store's insert waiting inside its transaction.
    const locker = await admin.reserve();
    await locker.unsafe("BEGIN");
    await locker.unsafe(`LOCK TABLE ${names.table("jobs")} IN ACCESS EXCLUSIVE MODE`);
    const insert = store.jobInsertMany({ jobs: [job(1)] });
    let waiting: { pid: number }[] = [];
    await waitFor(async () => {
      waiting = await admin.unsafe(
        `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      return waiting.length === 1;
    }, "the store's insert waiting for the lock");
    await admin.unsafe("SELECT pg_terminate_backend($1)", [waiting[0].pid]);
    await assertRejects(() => within(10_000, insert), StoreUnavailableError, "unavailable");
    await locker.unsafe("ROLLBACK");
    locker.release();
    const kept = job(2);
    await store.jobInsertMany({ jobs: [kept] });
    assertEquals((await store.jobGet(kept.id))?.input, 2);
    assertEquals((await store.queueCounts())[0].queued, 1, "the lost insert left nothing");
  } finally {
    await admin.end();
    await store.close();
  }
});
