/**
 * Batches on PostgreSQL: one row per batch (`open` until completed) and its counts per
 * state, which every job change moves in its own transaction (`counters.ts`). Completing locks the batch's row, so its `onComplete` job is inserted once.
 *
 * @example
 * ```ts ignore
 * const status = await batches.get(sql, { id });
 * ```
 * @module
 */
import type { JobState } from "../../job.ts";
import {
  type BatchCompleteParams,
  type BatchRecord,
  type BatchStatus,
  emptyBatchCounts,
} from "../batches.ts";
import type { ChangeSet, Runner } from "./changes.ts";
import type { SqlNames } from "./schema.ts";
import { PostgresCounters } from "./counters.ts";
import { COMPLETED_BATCH_TTL_MS } from "./expiry.ts";

/** Batches of one schema. */
export class PostgresBatches {
  readonly #names: SqlNames;
  readonly #counters: PostgresCounters;

  constructor(names: SqlNames) {
    this.#names = names;
    this.#counters = new PostgresCounters(names);
  }

  async create(sql: Runner, { batch }: { batch: BatchRecord }): Promise<void> {
    await sql.unsafe(
      `INSERT INTO ${this.#names.table("batches")} ("id", "record", "open")
       VALUES ($1, $2::text::jsonb, true)
       ON CONFLICT ("id") DO UPDATE SET "record" = excluded."record"`,
      [batch.id, JSON.stringify(batch)],
      { prepare: true },
    );
  }

  async get(sql: Runner, { id }: { id: string }): Promise<BatchStatus | null> {
    return (await this.#statuses(sql, `"id" = $1`, [id]))[0] ?? null;
  }

  listOpen(sql: Runner, { limit }: { limit: number }): Promise<BatchStatus[]> {
    return this.#statuses(sql, `"open" ORDER BY "id" LIMIT $1`, [limit]);
  }

  /** Closes the batch and inserts its completion job, once; false if closed already. */
  async complete(
    tx: Runner,
    changes: ChangeSet,
    { id, now, job }: BatchCompleteParams,
  ): Promise<boolean> {
    const table = this.#names.table("batches");
    const [row] = await tx.unsafe(
      `SELECT "record" FROM ${table} WHERE "id" = $1 FOR UPDATE`,
      [id],
      { prepare: true },
    );
    const batch = row?.record as BatchRecord | undefined;
    if (!batch || batch.completedAt !== undefined) return false;
    const closed: BatchRecord = { ...batch, completedAt: now };
    if (job) closed.completionJobId = job.id;
    await tx.unsafe(
      `UPDATE ${table} SET "record" = $2::text::jsonb, "open" = false, "expires_at" = $3
       WHERE "id" = $1`,
      [id, JSON.stringify(closed), now + COMPLETED_BATCH_TTL_MS],
      { prepare: true },
    );
    if (job) await changes.insert(tx, [job]);
    return true;
  }

  async #statuses(sql: Runner, where: string, params: unknown[]): Promise<BatchStatus[]> {
    const rows = await sql.unsafe(
      `SELECT "id", "record" FROM ${this.#names.table("batches")} WHERE ${where}`,
      params,
      { prepare: true },
    );
    const batches = (rows as { id: string; record: BatchRecord }[]).map((r) => r.record);
    if (batches.length === 0) return [];
    const counts = await this.#counters.read(sql, "batch", { only: batches.map((b) => b.id) });
    const byId = new Map(batches.map((batch) => [batch.id, emptyBatchCounts()]));
    for (const row of counts) byId.get(row.a)![row.b as JobState] = row.n;
    return batches.map((batch) => ({ batch, counts: byId.get(batch.id)! }));
  }
}
