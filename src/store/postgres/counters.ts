/**
 * The counters of the PostgreSQL store (counts per queue and state, per batch and state)
 * without a hot row. A job change's transaction only
 * appends its deltas to `counter_deltas`, which takes no row lock, so claimants and
 * completers in many processes never queue behind one counter row. Reads sum the rolled-up
 * tables and the pending deltas in one statement (one snapshot, so a count never disagrees
 * with the jobs it saw); a roll-up, run by writers every so often, moves deltas into the
 * tables in one statement, serialised by an advisory lock.
 *
 * @example
 * ```ts ignore
 * const counters = new PostgresCounters(names);
 * await counters.append(tx, [{ kind: "queue", a: "mail", b: "queued", n: 1 }]);
 * const rows = await counters.read(sql, "queue");
 * ```
 * @module
 */
import type { JobState } from "../../job.ts";
import { JOB_STATES } from "../../job.ts";
import type { Runner } from "./changes.ts";
import type { SqlNames } from "./schema.ts";

/** What a delta counts: a queue's state or a batch's state. */
export type CounterKind = "queue" | "batch";

/** One change of one counter: `a`, `b` are queue (or batch id) and state. */
export interface CounterDelta {
  kind: CounterKind;
  a: string;
  b: string;
  n: number;
}

/** Deltas moved per roll-up statement. */
const ROLL_UP_ROWS = 20_000;

/** The table of each kind and its key columns. */
const TABLES: Record<CounterKind, { table: string; a: string; b: string; n: string }> = {
  queue: { table: "queue_counts", a: "queue", b: "state", n: "n" },
  batch: { table: "batch_counts", a: "batch_id", b: "state", n: "n" },
};

/** The counters of one schema. */
export class PostgresCounters {
  readonly #names: SqlNames;
  readonly #deltas: string;

  constructor(names: SqlNames) {
    this.#names = names;
    this.#deltas = names.table("counter_deltas");
  }

  /** Appends deltas in the caller's transaction. */
  async append(tx: Runner, deltas: CounterDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    await tx.unsafe(
      `INSERT INTO ${this.#deltas} ("kind", "a", "b", "n")
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])`,
      [
        deltas.map((d) => d.kind),
        deltas.map((d) => d.a),
        deltas.map((d) => d.b),
        deltas.map((d) => d.n),
      ],
      { prepare: true },
    );
  }

  /**
   * Moves pending deltas into the counter tables, in `tx` (which then holds the roll-up
   * lock until it ends). Deltas committed meanwhile wait for the next roll-up.
   */
  async rollUp(tx: Runner): Promise<void> {
    await tx.unsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
      `${this.#names.schema}:counters`,
    ], { prepare: true });
    const t = (kind: CounterKind) => this.#names.table(TABLES[kind].table);
    await tx.unsafe(
      `WITH moved AS (
         DELETE FROM ${this.#deltas} WHERE ctid IN (SELECT ctid FROM ${this.#deltas} LIMIT $1)
         RETURNING "kind", "a", "b", "n"
       ), queues AS (
         INSERT INTO ${t("queue")} ("queue", "state", "n")
         SELECT "a", "b", sum("n") FROM moved WHERE "kind" = 'queue' GROUP BY "a", "b"
         ON CONFLICT ("queue", "state") DO UPDATE SET "n" = ${t("queue")}."n" + excluded."n"
       )
       INSERT INTO ${t("batch")} ("batch_id", "state", "n")
       SELECT "a", "b", sum("n") FROM moved WHERE "kind" = 'batch' GROUP BY "a", "b"
       ON CONFLICT ("batch_id", "state") DO UPDATE SET "n" = ${t("batch")}."n" + excluded."n"`,
      [ROLL_UP_ROWS],
      { prepare: true },
    );
  }

  /** Current sums of one kind, optionally only for `a` in `only`. */
  async read(
    sql: Runner,
    kind: CounterKind,
    { only }: { only?: string[] } = {},
  ): Promise<{ a: string; b: string; n: number }[]> {
    const { table, a, b, n } = TABLES[kind];
    const params: unknown[] = [kind];
    const conditions: ((key: string) => string)[] = [];
    if (only) {
      params.push(only);
      const i = params.length;
      conditions.push((key) => `${key} = ANY($${i}::text[])`);
    }
    const where = (key: string) => conditions.map((c) => ` AND ${c(key)}`).join("");
    const rows = await sql.unsafe(
      `SELECT "a", "b", sum("n")::text AS "n" FROM (
         SELECT "${a}" AS "a", "${b}" AS "b", "${n}" AS "n"
         FROM ${this.#names.table(table)} WHERE true${where(`"${a}"`)}
         UNION ALL
         SELECT "a", "b", "n" FROM ${this.#deltas} WHERE "kind" = $1${where(`"a"`)}
       ) AS x GROUP BY "a", "b" ORDER BY "a", "b"`,
      params,
      { prepare: true },
    );
    return (rows as { a: string; b: string; n: string }[]).map((r) => ({ ...r, n: Number(r.n) }));
  }

  /**
   * Sets the per-state counts of a queue or batch to `to` if they still are `from`, in `tx`
   * after a roll-up; false (nothing written) if not.
   */
  async fix(
    tx: Runner,
    kind: "queue" | "batch",
    key: string,
    from: Record<JobState, number>,
    to: Record<JobState, number>,
  ): Promise<boolean> {
    await this.rollUp(tx);
    const { table, a } = TABLES[kind];
    const rows = await tx.unsafe(
      `SELECT "state", "n" FROM ${this.#names.table(table)} WHERE "${a}" = $1 FOR UPDATE`,
      [key],
    ) as { state: JobState; n: string }[];
    // The table's rows and the deltas committed since the roll-up, summed.
    const summed = await this.read(tx, kind, { only: [key] });
    const now = new Map(summed.map((row) => [row.b as JobState, row.n]));
    if (JOB_STATES.some((state) => (now.get(state) ?? 0) !== (from[state] ?? 0))) return false;
    const stored = new Map(rows.map((row) => [row.state, Number(row.n)]));
    // What the table must hold so that it and the deltas still pending sum to `to`.
    const target = JOB_STATES.map((state) =>
      (to[state] ?? 0) - ((now.get(state) ?? 0) - (stored.get(state) ?? 0))
    );
    await tx.unsafe(
      `INSERT INTO ${this.#names.table(table)} ("${a}", "state", "n")
       SELECT $1, s, n FROM unnest($2::text[], $3::bigint[]) AS x(s, n)
       ON CONFLICT ("${a}", "state") DO UPDATE SET "n" = excluded."n"`,
      [key, [...JOB_STATES], target],
    );
    return true;
  }
}
