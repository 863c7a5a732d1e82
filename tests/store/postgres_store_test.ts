/**
 * The conformance suite on PostgreSQL: one private cluster for the file
 * (`postgres_server.ts`), a fresh schema per test, the cluster stopped when the file's
 * tests are over. The doctor tests damage rows behind the store's back with a client of
 * their own.
 */
import postgres from "postgres";
import { withLinks } from "../../src/flows/linked_store.ts";
import { openPostgresStore } from "../../src/store/postgres/postgres_store.ts";
import { columnsOf } from "../../src/store/postgres/changes.ts";
import { SqlNames } from "../../src/store/postgres/schema.ts";
import { PostgresCounters } from "../../src/store/postgres/counters.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { insertIdempotent } from "../../src/guards/idempotency.ts";
import { insertDebounced } from "../../src/guards/debounce.ts";
import { newJobId } from "../../src/ids.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { InvalidInputError } from "../../src/errors.ts";
import { runStoreConformance } from "./conformance.ts";
import { PostgresServer } from "./postgres_server.ts";
import type { StoreDamage } from "./store_damage.ts";
import { FakeClock } from "../../src/clock.ts";
import { eventually } from "../integration/tq_process.ts";
import { GROUP_TTL_MS } from "../../src/guards/group.ts";
import { PostgresExpiry } from "../../src/store/postgres/expiry.ts";
import {
  batchComplete,
  batchCreate,
  batchGet,
  COMPLETED_BATCH_TTL_MS,
} from "../../src/batches/batch_records.ts";

const server = await PostgresServer.start();
globalThis.addEventListener("unload", () => server.stopNow());

/** Damage by a client of its own, on the rows of `src/store/postgres/schema.ts`. */
function postgresDamage(url: string, schema: string): StoreDamage {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const names = new SqlNames(schema);
  const jobs = names.table("jobs");
  return {
    async dropRecord(job) {
      await sql.unsafe(`UPDATE ${jobs} SET "record" = NULL WHERE "id" = $1`, [job.id]);
    },
    async dropIndexes(job) {
      await sql.unsafe(
        `UPDATE ${jobs} SET "state" = NULL, "priority" = NULL, "run_at" = NULL,
         "lease_expires_at" = NULL, "expires_at" = NULL, "callback_due_at" = NULL
         WHERE "id" = $1`,
        [job.id],
      );
    },
    async writeIndexes(job) {
      const [, , state, priority, runAt, , lease, expires, callback] = columnsOf(job);
      await sql.unsafe(
        `UPDATE ${jobs} SET "state" = $2, "priority" = $3, "run_at" = $4,
         "lease_expires_at" = $5, "expires_at" = $6, "callback_due_at" = $7 WHERE "id" = $1`,
        [job.id, state, priority, runAt, lease, expires, callback],
      );
    },
    async setBatchCount(batchId, _queue, state, n) {
      await sql.unsafe(
        `INSERT INTO ${names.table("batch_counts")} ("batch_id", "state", "n") VALUES ($1, $2, $3)
         ON CONFLICT ("batch_id", "state") DO UPDATE SET "n" = excluded."n"`,
        [batchId, state, n],
      );
    },
    close: () => void sql.end({ timeout: 1 }),
  };
}

runStoreConformance("postgres", async (clock, onJobsWritten) => {
  const schema = server.freshSchema();
  const store = await openPostgresStore(server.url, { schema, clock, onJobsWritten });
  return {
    store,
    damage: postgresDamage(server.url, schema),
    cleanup: () => store.close(),
  };
});

Deno.test("[postgres] counts, batch counts and statistics read the same after a roll-up", async () => {
  const names = new SqlNames(server.freshSchema());
  const store = await openPostgresStore(server.url, { schema: names.schema });
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    const now = Date.now();
    const jobs = Array.from({ length: 5 }, (_, i) => ({
      ...createJob({ id: newJobId(now + i), task: "t", input: i }, now),
      batchId: "b1",
    }));
    await store.jobInsertMany({ jobs });
    await store.jobClaim({ queues: ["default"], workerId: "w", limit: 2, leaseMs: 1_000, now });
    const read = () =>
      Promise.all([
        store.queueCounts(),
        batchGet(store, { id: "b1" }),
      ]);
    await batchCreate(store, {
      batch: { id: "b1", total: 5, queues: ["default"], createdAt: now },
    });
    const before = await read();
    const pending = () =>
      sql.unsafe(`SELECT count(*)::int AS n FROM ${names.table("counter_deltas")}`);
    assert((await pending())[0].n > 0);
    await sql.begin((tx) => new PostgresCounters(names).rollUp(tx));
    assertEquals((await pending())[0].n, 0);
    assertEquals(await read(), before);
    assertEquals([before[0][0].queued, before[0][0].started], [3, 2]);
  } finally {
    await sql.end();
    await store.close();
  }
});

Deno.test("[postgres] an input holding U+0000 is refused by name; the text \\u0000 is kept", async () => {
  const store = await openPostgresStore(server.url, { schema: server.freshSchema() });
  try {
    const now = Date.now();
    const bad = createJob({ id: newJobId(now), task: "t", input: { s: "a\u0000b" } }, now);
    await assertRejects(() => store.jobInsertMany({ jobs: [bad] }), InvalidInputError, "U+0000");
    assertEquals(await store.jobGet(bad.id), null);
    const text = createJob({ id: newJobId(now), task: "t", input: { s: "a\\u0000b" } }, now);
    await store.jobInsertMany({ jobs: [text] });
    assertEquals((await store.jobGet(text.id))?.input, { s: "a\\u0000b" });
  } finally {
    await store.close();
  }
});

Deno.test("[postgres] expired keys, lanes, debounce keys, records and closed batches are deleted, the rest kept", async () => {
  const names = new SqlNames(server.freshSchema());
  const clock = new FakeClock();
  const store = withLinks(await openPostgresStore(server.url, { schema: names.schema, clock }));
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    const t0 = clock.now();
    const make = (input: unknown, extra = {}) =>
      createJob({ id: newJobId(t0), task: "t", input, ...extra }, t0);
    await insertIdempotent(store, { job: make(1), key: "k", ttlMs: 1_000 });
    await store.jobInsertMany({ jobs: [make(2, { group: "g" })] });
    await insertDebounced(store, { job: make(3), debounce: { key: "d", waitMs: 1_000 } });
    await store.recordPut({ space: "session", key: "s", value: { csrf: "c" }, ttlMs: 1_000 });
    for (const id of ["closed", "open"]) {
      await store.jobInsertMany({ jobs: [{ ...make(id), batchId: id }] });
      await batchCreate(store, { batch: { id, total: 1, queues: ["default"], createdAt: t0 } });
    }
    await batchComplete(store, { id: "closed", now: t0, job: null });
    await sql.begin((tx) => new PostgresCounters(names).rollUp(tx));
    const tables = ["records", "batch_counts"];
    const rows = async () => {
      const counts = [];
      for (const table of tables) {
        const [row] = await sql.unsafe(`SELECT count(*)::int AS n FROM ${names.table(table)}`);
        counts.push(row.n);
      }
      return counts;
    };
    const listed = () => store.recordList({ space: "session", limit: 10 });
    assertEquals((await listed()).length, 1);
    clock.advance(1_000);
    assertEquals(await listed(), [], "a record past its time is not listed before it is deleted");
    const expiry = new PostgresExpiry(names);
    await expiry.deleteExpired(sql, t0 + 1);
    assertEquals(
      await rows(),
      [7, 2],
      "the records: a session, an idempotency and a debounce key, a group's lanes, two " +
        "batches, one open",
    );
    await expiry.deleteExpired(sql, t0 + GROUP_TTL_MS + COMPLETED_BATCH_TTL_MS);
    assertEquals(await rows(), [2, 1], "the open batch, its open entry and its count");
    assertEquals((await batchGet(store, { id: "open" }))?.counts.queued, 1);
  } finally {
    await sql.end();
    await store.close();
  }
});

Deno.test("[postgres] a job change whose counters cannot be written fails and leaves nothing", async () => {
  const names = new SqlNames(server.freshSchema());
  const store = await openPostgresStore(server.url, { schema: names.schema });
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    const now = Date.now();
    const job = createJob({ id: newJobId(now), task: "t", input: 1 }, now);
    // The counters are flushed last: their failure must roll the job back. (postgres.js
    // describes a statement with parameters before sending it, so a COMMIT pipelined behind
    // the flush would overtake it and commit first.)
    const deltas = names.table("counter_deltas");
    await sql.unsafe(`ALTER TABLE ${deltas} ADD CONSTRAINT "refused" CHECK (false) NOT VALID`);
    await assertRejects(() => store.jobInsertMany({ jobs: [job] }));
    await sql.unsafe(`ALTER TABLE ${deltas} DROP CONSTRAINT "refused"`);
    assertEquals(await store.jobGet(job.id), null);
    await store.jobInsertMany({ jobs: [job] });
    assertEquals((await store.queueCounts())[0].queued, 1);
  } finally {
    await sql.end();
    await store.close();
  }
});

Deno.test("[postgres] the store deletes expired rows by itself as it writes, by its clock", async () => {
  const names = new SqlNames(server.freshSchema());
  const clock = new FakeClock();
  const store = await openPostgresStore(server.url, { schema: names.schema, clock });
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  const keys = async () =>
    (await sql.unsafe(
      `SELECT count(*)::int AS n FROM ${names.table("records")} WHERE "space" = 'idempotency'`,
    ))[0].n;
  try {
    const write = (input: number) =>
      insertIdempotent(store, {
        job: createJob({ id: newJobId(clock.now()), task: "t", input }, clock.now()),
        key: `k${input}`,
        ttlMs: 1_000,
      });
    // The roll-up at the 10th write deletes what expired by then: nothing yet.
    for (let i = 0; i < 12; i++) await write(i);
    clock.advance(60_000);
    for (let i = 12; i < 22; i++) await write(i);
    await eventually(async () => await keys() === 10, 5_000, "the expired keys deleted");
  } finally {
    await sql.end();
    await store.close();
  }
});
