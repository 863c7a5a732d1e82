/**
 * Observability on PostgreSQL: handler log lines (deleted with their
 * job by `changes.ts`), and the statistics summed by job changes (minute counts older than
 * two hours are deleted when statistics are read).
 *
 * @example
 * ```ts ignore
 * const stats = await telemetry.statsGet({ since: Date.now() - 600_000, now: Date.now() });
 * ```
 * @module
 */
import type { JobLogLine, StatEntry, StatKey } from "../telemetry.ts";
import { MINUTE_MS } from "../../metrics/stat_deltas.ts";
import type { Runner } from "./changes.ts";
import type { SqlNames } from "./schema.ts";
import { PostgresCounters } from "./counters.ts";

/** Minute counts older than this are deleted when statistics are read. */
const MINUTES_KEPT_MS = 2 * 3_600_000;

/** Telemetry of one schema. */
export class PostgresTelemetry {
  readonly #sql: Runner;
  readonly #names: SqlNames;
  readonly #counters: PostgresCounters;

  constructor(sql: Runner, names: SqlNames) {
    this.#sql = sql;
    this.#names = names;
    this.#counters = new PostgresCounters(names);
  }

  async jobLogAppend({ lines }: { lines: JobLogLine[] }): Promise<void> {
    if (lines.length === 0) return;
    await this.#sql.unsafe(
      `INSERT INTO ${this.#names.table("job_logs")} ("job_id", "seq", "line")
       SELECT j, s, l::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS x(j, s, l)
       ON CONFLICT DO NOTHING`,
      [lines.map((l) => l.jobId), lines.map((l) => l.seq), lines.map((l) => JSON.stringify(l))],
      { prepare: true },
    );
  }

  async jobLogList({ jobId, limit }: { jobId: string; limit: number }): Promise<JobLogLine[]> {
    const rows = await this.#sql.unsafe(
      `SELECT "line" FROM ${this.#names.table("job_logs")} WHERE "job_id" = $1
       ORDER BY "seq" COLLATE "C" LIMIT $2`,
      [jobId, limit],
      { prepare: true },
    );
    return (rows as { line: JobLogLine }[]).map((row) => row.line);
  }

  /** Every statistic, with minute counts from `since` on; older minutes are deleted. */
  async statsGet({ since, now }: { since: number; now: number }): Promise<StatEntry[]> {
    const stats = await this.#counters.read(this.#sql, "stat", {
      fromMinute: Math.floor(since / MINUTE_MS),
    });
    await this.#counters.dropMinutesBefore(
      this.#sql,
      Math.floor((now - MINUTES_KEPT_MS) / MINUTE_MS),
    );
    return stats.map((row) => ({ key: JSON.parse(row.a) as StatKey, value: row.n }));
  }
}
