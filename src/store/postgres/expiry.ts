/**
 * Deletes what the PostgreSQL store keeps only for a time, once that time is over: what
 * KV expires on its own (`expireIn`) and Redis with `PEXPIRE`. Group and concurrency-key
 * lanes and keyed records (`records.ts`: idempotency and debounce keys among them) past their
 * `expires_at`, and completed batches (kept `COMPLETED_BATCH_TTL_MS` after they closed,
 * as on KV and Redis) with their counts. One statement, each table's `expires_at` index
 * finding the rows, run by the store now and then (`postgres_store.ts`).
 *
 * @example
 * ```ts ignore
 * await new PostgresExpiry(names).deleteExpired(sql, clock.now());
 * ```
 * @module
 */
import type { Runner } from "./changes.ts";
import type { SqlNames } from "./schema.ts";

/** How long a completed batch stays readable, as on the other stores. */
export const COMPLETED_BATCH_TTL_MS = 7 * 86_400_000;

/** Tables whose rows end at their `expires_at`. */
const EXPIRING = ["groups", "records"] as const;

/** The expiry of one schema. */
export class PostgresExpiry {
  readonly #names: SqlNames;

  constructor(names: SqlNames) {
    this.#names = names;
  }

  /** Deletes every row expired at `now`. */
  async deleteExpired(sql: Runner, now: number): Promise<void> {
    const t = (name: string) => this.#names.table(name);
    const each = EXPIRING.map((name, i) =>
      `e${i} AS (DELETE FROM ${t(name)} WHERE "expires_at" <= $1)`
    );
    await sql.unsafe(
      `WITH ${each.join(", ")},
       batches AS (DELETE FROM ${t("batches")} WHERE "expires_at" <= $1 RETURNING "id")
       DELETE FROM ${t("batch_counts")} WHERE "batch_id" IN (SELECT "id" FROM batches)`,
      [now],
      { prepare: true },
    );
  }
}
