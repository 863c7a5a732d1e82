/**
 * Debounce keys on PostgreSQL (`../debounce.ts`): a row of `debounce` per task and key
 * holds its `DebounceRecord` until `expires_at`. An enqueue is one transaction: it takes
 * the key row's lock (inserting a placeholder first, so even a key never seen has a row to
 * lock), reads the job it names under lock, and writes what `debounceWrite` makes of them.
 * Concurrent requests of one key queue on that lock and each finds the job the one before
 * it wrote.
 *
 * @example
 * ```ts ignore
 * const { job, created } = await debounce.insert(tx, changes, { job, debounce: { key: "u1", waitMs: 500 } });
 * ```
 * @module
 */
import { debounceWrite } from "../../guards/debounce.ts";
import type { DebouncedInsertParams, DebouncedInsertResult, DebounceRecord } from "../debounce.ts";
import type { ChangeSet, Runner } from "./changes.ts";
import type { PostgresReads } from "./reads.ts";
import type { SqlNames } from "./schema.ts";

/** The debounce keys of one schema. */
export class PostgresDebounce {
  readonly #table: string;
  readonly #reads: PostgresReads;

  constructor(names: SqlNames, reads: PostgresReads) {
    this.#table = names.table("debounce");
    this.#reads = reads;
  }

  /** Inserts `job` or joins the job waiting for its key; see `Store.jobInsertDebounced`. */
  async insert(
    tx: Runner,
    changes: ChangeSet,
    { job, debounce }: DebouncedInsertParams,
  ): Promise<DebouncedInsertResult> {
    // An expired record reads as none: a placeholder row (record null) is locked instead.
    const [row] = await tx.unsafe(
      `INSERT INTO ${this.#table} ("task", "key", "record", "expires_at")
       VALUES ($1, $2, 'null'::jsonb, 0)
       ON CONFLICT ("task", "key") DO UPDATE SET "task" = excluded."task"
       RETURNING CASE WHEN "expires_at" > $3 THEN "record" END AS "record"`,
      [job.task, debounce.key, job.createdAt],
      { prepare: true },
    );
    const record = (row.record ?? null) as DebounceRecord | null;
    const [held] = record ? await this.#reads.getMany([record.jobId], tx, true) : [null];
    const write = debounceWrite({ job, record, held, ...debounce });
    if (write.before) await changes.updateAll(tx, [{ before: write.before, after: write.after }]);
    else await changes.insert(tx, [write.after]);
    await tx.unsafe(
      `UPDATE ${this.#table} SET "record" = $3::text::jsonb, "expires_at" = $4
       WHERE "task" = $1 AND "key" = $2`,
      [job.task, debounce.key, JSON.stringify(write.record), job.createdAt + write.ttlMs],
      { prepare: true },
    );
    return { job: write.after, created: write.before === null };
  }
}
