/**
 * What `tq doctor` asks of the PostgreSQL store: rows whose indexed columns disagree with
 * their record (`columnsOf` in `changes.ts`), rows whose record is gone, and the counts of a
 * queue or a batch set to what its jobs say. Every repair is one statement or transaction
 * that holds only if the row is still as found.
 *
 * - a row without a record: `entry_without_record` (repair: delete the row);
 * - indexed columns cleared (`state` null): `record_unindexed` (repair: derive them again);
 * - indexed columns of another version: `entry_disagrees` (repair: derive them again).
 *
 * @example
 * ```ts ignore
 * for (const problem of await audit.indexAudit({ limit: 100 })) await audit.indexRepair({ problem });
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import type { BatchCountsFixParams, IndexProblem, QueueCountsFixParams } from "../audit.ts";
import { columnsOf, INDEXED_COLUMNS as INDEXED, type Runner } from "./changes.ts";
import type { SqlNames } from "./schema.ts";
import { PostgresCounters } from "./counters.ts";

type Row = Record<(typeof INDEXED)[number], string | number | null> & { record: Job | null };

/** The audit and repairs of one schema. */
export class PostgresAudit {
  readonly #names: SqlNames;
  readonly #counters: PostgresCounters;

  constructor(names: SqlNames) {
    this.#names = names;
    this.#counters = new PostgresCounters(names);
  }

  /** Rows that disagree with their records, at most `limit`. */
  async indexAudit(sql: Runner, { limit }: { limit: number }): Promise<IndexProblem[]> {
    const rows = await sql.unsafe(
      `SELECT ${INDEXED.map((c) => `"${c}"`).join(", ")}, "record"
       FROM ${this.#names.table("jobs")} ORDER BY "id"`,
    ) as Row[];
    const problems: IndexProblem[] = [];
    for (const row of rows) {
      if (problems.length >= limit) break;
      const jobId = String(row.id);
      if (row.record === null) {
        problems.push({ kind: "entry_without_record", jobId, index: "jobs", entry: null });
        continue;
      }
      const wanted = columnsOf(row.record);
      const differs = INDEXED.some((column, i) =>
        (row[column] === null ? null : String(row[column])) !==
          (wanted[i] === null ? null : String(wanted[i]))
      );
      if (!differs) continue;
      problems.push({
        kind: row.state === null ? "record_unindexed" : "entry_disagrees",
        jobId,
        index: "jobs",
        version: row.record.version,
        entry: null,
      });
    }
    return problems;
  }

  /** Puts one problem right if the row is still as found; answers the queue made ready. */
  async indexRepair(
    tx: Runner,
    { problem }: { problem: IndexProblem },
  ): Promise<{ repaired: boolean; readyIn?: string }> {
    const table = this.#names.table("jobs");
    if (problem.kind === "entry_without_record") {
      const rows = await tx.unsafe(
        `DELETE FROM ${table} WHERE "id" = $1 AND "record" IS NULL RETURNING "id"`,
        [problem.jobId],
      );
      return { repaired: rows.length === 1 };
    }
    const [row] = await tx.unsafe(
      `SELECT "record" FROM ${table} WHERE "id" = $1 FOR UPDATE`,
      [problem.jobId],
    );
    const job = row?.record as Job | null | undefined;
    if (!job || job.version !== problem.version) return { repaired: false };
    const values = columnsOf(job);
    await tx.unsafe(
      `UPDATE ${table} SET ${INDEXED.map((c, i) => `"${c}" = $${i + 1}`).join(", ")}
       WHERE "id" = $1`,
      values.slice(0, INDEXED.length),
    );
    return { repaired: true, readyIn: job.state === "queued" ? job.queue : undefined };
  }

  /** Sets a batch's counts to `to` if they still are `from`. */
  batchCountsFix(tx: Runner, { id, from, to }: BatchCountsFixParams): Promise<boolean> {
    return this.#counters.fix(tx, "batch", id, from, to);
  }

  /** Sets a queue's counts to `to` if they still are `from`. */
  queueCountsFix(tx: Runner, { queue, from, to }: QueueCountsFixParams): Promise<boolean> {
    return this.#counters.fix(tx, "queue", queue, from, to);
  }
}
