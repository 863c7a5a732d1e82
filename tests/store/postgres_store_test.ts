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

runStoreConformance("postgres", async () => {
  const schema = server.freshSchema();
  const store = await openPostgresStore(server.url, { schema });
  return {
    store,
    damage: postgresDamage(server.url, schema),
    cleanup: () => Promise.resolve(store.close()),
  };
});
