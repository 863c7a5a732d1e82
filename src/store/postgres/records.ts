/**
 * Keyed records (`../records.ts`) on PostgreSQL: one row each in `records`, the value as
 * jsonb, a version drawn from the `record_versions` sequence at every write, and an
 * `expires_at` (epoch ms by the store's clock) that reads filter on and `expiry.ts` sweeps.
 * A record past its `expires_at` counts as absent, also for a write "only if there is none".
 *
 * @example
 * ```ts ignore
 * const records = new PostgresRecords(sql, names, clock);
 * await records.put({ space: "queue_pause", key: "mail", value: true });
 * console.log(await records.list({ space: "queue_pause", limit: 100 }));
 * ```
 * @module
 */
import type { Clock } from "../../clock.ts";
import * as Records from "../records.ts";
import { RacedError, type Runner } from "./changes.ts";
import type { SqlNames } from "./schema.ts";

/** The keyed records of one schema. */
export class PostgresRecords {
  readonly #sql: Runner;
  readonly #clock: Clock;
  readonly #table: string;
  readonly #nextVersion: string;
  /** A row that holds: not past its expiry at `$now`. */
  readonly #live = (now: string) => `("expires_at" IS NULL OR "expires_at" > ${now})`;

  constructor(sql: Runner, names: SqlNames, clock: Clock) {
    this.#sql = sql;
    this.#clock = clock;
    this.#table = names.table("records");
    this.#nextVersion = `nextval('${names.table("record_versions")}')`;
  }

  async put(
    { space, key, value, ttlMs, ifVersion }: Records.RecordPutParams,
    sql = this.#sql,
  ): Promise<boolean> {
    const now = this.#clock.now();
    const expiresAt = ttlMs === undefined ? null : now + Math.max(1, Math.ceil(ttlMs));
    const row = [space, key, JSON.stringify(value), expiresAt];
    const t = this.#table;
    if (typeof ifVersion === "string") {
      const updated = await sql.unsafe(
        `UPDATE ${t} SET "value" = $3::text::jsonb, "expires_at" = $4,
           "version" = ${this.#nextVersion}
         WHERE "space" = $1 AND "key" = $2 AND "version" = $5 RETURNING 1`,
        [...row, ifVersion],
        { prepare: true },
      );
      return updated.length === 1;
    }
    // "Only if there is none" replaces nothing but an expired row.
    const unless = ifVersion === null
      ? `WHERE ${t}."expires_at" IS NOT NULL AND ${t}."expires_at" <= $5`
      : "";
    const written = await sql.unsafe(
      `INSERT INTO ${t} ("space", "key", "value", "expires_at", "version")
       VALUES ($1, $2, $3::text::jsonb, $4, ${this.#nextVersion})
       ON CONFLICT ("space", "key") DO UPDATE SET "value" = excluded."value",
         "expires_at" = excluded."expires_at", "version" = excluded."version" ${unless}
       RETURNING 1`,
      ifVersion === null ? [...row, now] : row,
      { prepare: true },
    );
    return written.length === 1;
  }

  /** The record, read through `sql` (a transaction sees its own writes). */
  async get(
    { space, key }: Records.RecordAddress,
    sql: Runner = this.#sql,
  ): Promise<Records.RecordRead | null> {
    const [row]: { value: unknown; version: string }[] = await sql.unsafe(
      `SELECT "value", "version" FROM ${this.#table}
       WHERE "space" = $1 AND "key" = $2 AND ${this.#live("$3")}`,
      [space, key, this.#clock.now()],
      { prepare: true },
    );
    return row ? { value: row.value, version: String(row.version) } : null;
  }

  /**
   * The records of a commit, in the caller's transaction `tx`, before its jobs: a checked
   * record that is also put is written only if still at its version (the write's own
   * condition, which waits for a concurrent writer's row lock); any other checked record is
   * locked (`FOR UPDATE`) while it is found as checked. `RacedError` when a check fails.
   */
  async commit(
    tx: Runner,
    { checks = [], puts = [], deletes = [] }: Records.RecordCommitParams,
  ): Promise<void> {
    const id = ({ space, key }: Records.RecordAddress) => `${space}\u0000${key}`;
    const checked = new Map(checks.map((check) => [id(check), check.version]));
    const put = new Set(puts.map(id));
    const byAddress = (a: Records.RecordAddress, b: Records.RecordAddress) =>
      id(a) < id(b) ? -1 : 1;
    for (const check of [...checks].sort(byAddress)) {
      if (!put.has(id(check)) && !await this.#holds(tx, check)) {
        throw new RacedError(`${check.space}:${check.key}`, "record");
      }
    }
    for (const record of puts) {
      const ifVersion = checked.has(id(record)) ? checked.get(id(record)) : undefined;
      if (!await this.put({ ...record, ifVersion }, tx)) {
        throw new RacedError(`${record.space}:${record.key}`, "record");
      }
    }
    for (const address of deletes) await this.delete(address, tx);
  }

  /** Whether the record is still at `version` (null: absent), locking its row if so. */
  async #holds(tx: Runner, { space, key, version }: Records.RecordCheck): Promise<boolean> {
    const [row]: { version: string }[] = await tx.unsafe(
      `SELECT "version" FROM ${this.#table}
       WHERE "space" = $1 AND "key" = $2 AND ${this.#live("$3")} FOR UPDATE`,
      [space, key, this.#clock.now()],
      { prepare: true },
    );
    return version === null ? row === undefined : String(row?.version) === version;
  }

  async delete({ space, key }: Records.RecordAddress, sql = this.#sql): Promise<void> {
    await sql.unsafe(`DELETE FROM ${this.#table} WHERE "space" = $1 AND "key" = $2`, [
      space,
      key,
    ], { prepare: true });
  }

  /** Reads `[from, prefixEnd)` of the primary key (COLLATE "C": code point order). */
  async list(
    { space, limit, prefix = "", from = "" }: Records.RecordListParams,
  ): Promise<Records.StoredRecord[]> {
    const end = Records.prefixEnd(prefix);
    const rows = await this.#sql.unsafe(
      `SELECT "key", "value" FROM ${this.#table} WHERE "space" = $1 AND ${this.#live("$2")}
         AND "key" >= $4 ${end === undefined ? "" : 'AND "key" < $5'}
       ORDER BY "key" LIMIT $3`,
      [space, this.#clock.now(), limit, from > prefix ? from : prefix, ...end ? [end] : []],
      { prepare: true },
    );
    return (rows as Records.StoredRecord[]).map(({ key, value }) => ({ key, value }));
  }
}
