/**
 * The conformance suite on PostgreSQL: one private cluster for the file
 * (`postgres_server.ts`), a fresh schema per test, the cluster stopped when the file's
 * tests are over. The doctor tests damage rows behind the store's back with a client of
 * their own.
 */
import postgres from "postgres";
import { openPostgresStore } from "../../src/store/postgres/postgres_store.ts";
import { columnsOf } from "../../src/store/postgres/changes.ts";
import { SqlNames } from "../../src/store/postgres/schema.ts";
import { PostgresCounters } from "../../src/store/postgres/counters.ts";
import { createJob } from "../../src/transitions.ts";
import { newJobId } from "../../src/ids.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { InvalidInputError } from "../../src/errors.ts";
import { runStoreConformance } from "./conformance.ts";
import { PostgresServer } from "./postgres_server.ts";
import type { StoreDamage } from "./store_damage.ts";

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

runStoreConformance("postgres", async (clock) => {
  const schema = server.freshSchema();
  const store = await openPostgresStore(server.url, { schema, clock });
  return {
    store,
    damage: postgresDamage(server.url, schema),
    cleanup: () => Promise.resolve(store.close()),
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
        store.batchGet({ id: "b1" }),
        store.statsGet({ since: 0 }),
      ]);
    await store.batchCreate({
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
    store.close();
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
    store.close();
  }
});
