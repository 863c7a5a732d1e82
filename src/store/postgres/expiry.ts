/**
 * Deletes what the PostgreSQL store keeps only for a time, once that time is over: what
 * KV expires on its own (`expireIn`) and Redis with `PEXPIRE`. Keyed records (`records.ts`:
 * idempotency and debounce keys and group lanes among them) past their `expires_at`, and with a batch's record (`BATCH_SPACE`: a completed batch's expires) the
 * batch's counts. One statement, each table's `expires_at` index finding the rows, run by
 * the store now and then (`postgres_store.ts`).
 *
 * @example
 * ```ts ignore
 * await new PostgresExpiry(names).deleteExpired(sql, clock.now());
 * ```
 * @module
 */
import { BATCH_SPACE } from "../batches.ts";
import type { Runner } from "./changes.ts";
import type { SqlNames } from "./schema.ts";

/** The expiry of one schema. */
export class PostgresExpiry {
  readonly #names: SqlNames;

  constructor(names: SqlNames) {
    this.#names = names;
  }

  /** Deletes every row expired at `now`. */
  async deleteExpired(sql: Runner, now: number): Promise<void> {
    const t = (name: string) => this.#names.table(name);
    await sql.unsafe(
      `WITH records AS (DELETE FROM ${
        t("records")
      } WHERE "expires_at" <= $1 RETURNING "space", "key")
       DELETE FROM ${t("batch_counts")}
       WHERE "batch_id" IN (SELECT "key" FROM records WHERE "space" = $2)`,
      [now, BATCH_SPACE],
      { prepare: true },
    );
  }
}
