/**
 * Schedules on PostgreSQL: one row per schedule, locked (`FOR UPDATE`) while a run checks
 * its tick and inserts its job in the same transaction, so a tick fired by several
 * `tq cron` processes enqueues exactly one job.
 *
 * @example
 * ```ts ignore
 * const outcome = await sql.begin((tx) => schedules.run(tx, changes, { name, job, tickAt }));
 * ```
 * @module
 */
import type { ScheduleRecord, ScheduleRunOutcome, ScheduleRunParams } from "../schedules.ts";
import type { ChangeSet, Runner } from "./changes.ts";
import type { SqlNames } from "./schema.ts";

/** Schedules of one schema. */
export class PostgresSchedules {
  readonly #table: string;

  constructor(names: SqlNames) {
    this.#table = names.table("schedules");
  }

  /** The record of `name`, created unpaused if new, locked until the transaction ends. */
  async #locked(tx: Runner, name: string): Promise<ScheduleRecord> {
    await tx.unsafe(
      `INSERT INTO ${this.#table} ("name", "record") VALUES ($1, $2::text::jsonb)
       ON CONFLICT ("name") DO NOTHING`,
      [name, JSON.stringify({ name, paused: false })],
      { prepare: true },
    );
    const [row] = await tx.unsafe(
      `SELECT "record" FROM ${this.#table} WHERE "name" = $1 FOR UPDATE`,
      [name],
      { prepare: true },
    );
    return row.record;
  }

  async #write(tx: Runner, record: ScheduleRecord): Promise<void> {
    await tx.unsafe(
      `UPDATE ${this.#table} SET "record" = $2::text::jsonb WHERE "name" = $1`,
      [record.name, JSON.stringify(record)],
      { prepare: true },
    );
  }

  /** `scheduleRun` inside `tx`. */
  async run(
    tx: Runner,
    changes: ChangeSet,
    { name, job, tickAt }: ScheduleRunParams,
  ): Promise<ScheduleRunOutcome> {
    const record = await this.#locked(tx, name);
    if (tickAt !== undefined) {
      if (record.lastTickAt !== undefined && record.lastTickAt >= tickAt) return "duplicate";
      if (record.paused) return "paused";
    }
    await this.#write(tx, {
      ...record,
      lastRunAt: job.createdAt,
      lastJobId: job.id,
      ...(tickAt === undefined ? {} : { lastTickAt: tickAt }),
    });
    await changes.insert(tx, [job]);
    return "enqueued";
  }

  /** `schedulePause` inside `tx`. */
  async pause(tx: Runner, name: string, paused: boolean): Promise<void> {
    await this.#write(tx, { ...await this.#locked(tx, name), paused });
  }

  /** The records of `names`, in order; unseen ones unpaused. */
  async getMany(sql: Runner, names: string[]): Promise<ScheduleRecord[]> {
    const rows = await sql.unsafe(
      `SELECT "name", "record" FROM ${this.#table} WHERE "name" = ANY($1::text[])`,
      [names],
      { prepare: true },
    );
    const byName = new Map<string, ScheduleRecord>(
      (rows as { name: string; record: ScheduleRecord }[]).map((r) => [r.name, r.record]),
    );
    return names.map((name) => byName.get(name) ?? { name, paused: false });
  }
}
