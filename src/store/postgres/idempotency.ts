/**
 * Idempotent inserts on PostgreSQL: the key's row and the job are written in one
 * transaction that holds the key's advisory lock, so concurrent repeats of a request wait
 * for each other and create exactly one job.
 *
 * @example
 * ```ts ignore
 * const { job, created } = await sql.begin((tx) => idempotency.insert(tx, changes, params));
 * ```
 * @module
 */
import type { IdempotentInsertParams, IdempotentInsertResult } from "../idempotency.ts";
import type { ChangeSet, Runner } from "./changes.ts";
import type { PostgresReads } from "./reads.ts";
import type { SqlNames } from "./schema.ts";

/** Idempotency keys of one schema. */
export class PostgresIdempotency {
  readonly #names: SqlNames;
  readonly #reads: PostgresReads;

  constructor(names: SqlNames, reads: PostgresReads) {
    this.#names = names;
    this.#reads = reads;
  }

  /** Inserts `job` unless `key` still holds for a job that exists. */
  async insert(
    tx: Runner,
    changes: ChangeSet,
    { job, key, ttlMs }: IdempotentInsertParams,
  ): Promise<IdempotentInsertResult> {
    const table = this.#names.table("idempotency");
    await tx.unsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
      `${this.#names.schema}:idem:${key}`,
    ], { prepare: true });
    const [held] = await tx.unsafe(
      `SELECT "job_id" FROM ${table} WHERE "key" = $1 AND "expires_at" > $2`,
      [key, job.createdAt],
      { prepare: true },
    );
    if (held) {
      const [first] = await this.#reads.getMany([held.job_id], tx);
      if (first) return { job: first, created: false };
    }
    await tx.unsafe(
      `INSERT INTO ${table} ("key", "job_id", "expires_at") VALUES ($1, $2, $3)
       ON CONFLICT ("key") DO UPDATE
       SET "job_id" = excluded."job_id", "expires_at" = excluded."expires_at"`,
      [key, job.id, job.createdAt + ttlMs],
      { prepare: true },
    );
    await changes.insert(tx, [job]);
    return { job, created: true };
  }
}
