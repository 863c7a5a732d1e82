/**
 * Job changes written in one PostgreSQL transaction: the rows of `jobs` (the record and
 * the indexed columns derived from it), each update and delete checked against the version
 * read (`… WHERE id = $ AND version = $`), and, once per transaction, the counters every
 * change moves (queue counts and batch counts: appended as deltas, see `counters.ts`), the
 * list of changes written (for the store's `onJobsWritten` once committed), and a NOTIFY for each queue that gained ready jobs, which
 * PostgreSQL delivers when the transaction commits.
 *
 * @example
 * ```ts ignore
 * const changes = new ChangeSet(names);
 * await changes.insert(tx, jobs);
 * await changes.flush(tx);
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import { batchCountMoves } from "../batches.ts";
import type { JobChange, JobUpdate } from "../store.ts";
import type { SqlNames } from "./schema.ts";
import { type CounterDelta, type CounterKind, PostgresCounters } from "./counters.ts";

/** Anything that runs SQL: the pool, or a transaction (the store's own or a caller's). */
export interface Runner {
  // deno-lint-ignore no-explicit-any
  unsafe(query: string, parameters?: any[], options?: { prepare?: boolean }): Promise<any>;
}

/** A change of some record failed its version check: the transaction must roll back. */
export class RacedError extends Error {
  constructor(id: string, what = "job") {
    super(`${what} ${id} changed meanwhile`);
    this.name = "RacedError";
  }
}

/** The columns of a job's row derived from its record: all but the record itself. */
export const INDEXED_COLUMNS = [
  "id",
  "queue",
  "state",
  "priority",
  "run_at",
  "task",
  "lease_expires_at",
  "expires_at",
  "callback_due_at",
  "wait_event",
  "wait_key",
  "version",
] as const;

/** The columns of a job's row, in `columnsOf` order. */
const COLUMNS = [...INDEXED_COLUMNS, "record"] as const;
const TYPES = [
  "text",
  "text",
  "text",
  "integer",
  "bigint",
  "text",
  "bigint",
  "bigint",
  "bigint",
  "text",
  "text",
  "integer",
  "text", // the record: cast to jsonb by `ROW_VALUES` (a jsonb[] parameter would hold strings)
];

/** The indexed columns `job` implies (what `tq doctor` compares with each row). */
export function columnsOf(job: Job): (string | number | null)[] {
  return [
    job.id,
    job.queue,
    job.state,
    job.priority,
    job.runAt,
    job.task,
    job.leaseExpiresAt ?? null,
    job.expiresAt ?? null,
    job.callbackDueAt ?? null,
    job.waitEvent ?? null,
    job.waitKey ?? null,
    job.version,
    JSON.stringify(job),
  ];
}

/** The columns in `columnsOf` order, for SQL text (a table's own order varies by layout step). */
const COLUMN_LIST = COLUMNS.map((c) => `"${c}"`).join(", ");

/** `unnest($1::text[], $2::text[], …) AS u("id", …)` and its parameters, for `jobs`. */
function unnestRows(jobs: Job[], offset = 0): { from: string; params: unknown[][] } {
  const params: unknown[][] = COLUMNS.map(() => []);
  for (const job of jobs) columnsOf(job).forEach((value, i) => params[i].push(value));
  const args = TYPES.map((type, i) => `$${offset + i + 1}::${type}[]`).join(", ");
  return { from: `unnest(${args}) AS u(${COLUMN_LIST})`, params };
}

/** The select list of a row from `unnestRows`, the record parsed. */
const ROW_VALUES = COLUMNS.map((c) => c === "record" ? `u."record"::jsonb` : `u."${c}"`).join(", ");

const SET_COLUMNS = COLUMNS.filter((c) => c !== "id")
  .map((c) => `"${c}" = ${c === "record" ? `u."record"::jsonb` : `u."${c}"`}`).join(", ");

/** Counter changes and wake-ups gathered over one transaction. */
export class ChangeSet {
  readonly #names: SqlNames;
  readonly #counters: PostgresCounters;
  readonly #deltas = new Map<string, CounterDelta>();
  readonly #woken = new Set<string>();
  /** Every job change of the transaction, in order. */
  readonly written: JobChange[] = [];

  constructor(names: SqlNames) {
    this.#names = names;
    this.#counters = new PostgresCounters(names);
  }

  /** Whether a job became ready in this transaction. */
  get wakes(): boolean {
    return this.#woken.size > 0;
  }

  /** Inserts new jobs; a duplicate id fails the statement (ids are fresh ULIDs). */
  async insert(tx: Runner, jobs: Job[]): Promise<void> {
    if (jobs.length === 0) return;
    const { from, params } = unnestRows(jobs);
    await tx.unsafe(
      `INSERT INTO ${this.#names.table("jobs")} (${COLUMN_LIST}) SELECT ${ROW_VALUES} FROM ${from}`,
      params,
      { prepare: true },
    );
    for (const job of jobs) this.count(null, job);
  }

  /** Writes each update whose `before.version` still holds; answers the ids written. */
  async update(tx: Runner, updates: JobUpdate[]): Promise<Set<string>> {
    if (updates.length === 0) return new Set();
    const { from, params } = unnestRows(updates.map((u) => u.after), 2);
    const rows = await tx.unsafe(
      `UPDATE ${this.#names.table("jobs")} AS j SET ${SET_COLUMNS}
       FROM (SELECT u.*, b."version" AS "before"
             FROM ${from} JOIN unnest($1::integer[], $2::text[]) AS b("version", "id")
             ON b."id" = u."id") AS u
       WHERE j."id" = u."id" AND j."version" = u."before"
       RETURNING j."id"`,
      [updates.map((u) => u.before.version), updates.map((u) => u.before.id), ...params],
      { prepare: true },
    );
    const written = new Set<string>(rows.map((row: { id: string }) => row.id));
    for (const u of updates) if (written.has(u.before.id)) this.count(u.before, u.after);
    return written;
  }

  /** Like {@linkcode ChangeSet.update}, but every update must hold, or `RacedError`. */
  async updateAll(tx: Runner, updates: JobUpdate[]): Promise<void> {
    const written = await this.update(tx, updates);
    const lost = updates.find((u) => !written.has(u.before.id));
    if (lost) throw new RacedError(lost.before.id);
  }

  /** Deletes each job still at the version given; answers the ids deleted. */
  async delete(tx: Runner, jobs: Job[]): Promise<Set<string>> {
    if (jobs.length === 0) return new Set();
    const rows = await tx.unsafe(
      `DELETE FROM ${this.#names.table("jobs")} AS j
       USING unnest($1::text[], $2::integer[]) AS d("id", "version")
       WHERE j."id" = d."id" AND j."version" = d."version"
       RETURNING j."id", j."record"`,
      [jobs.map((job) => job.id), jobs.map((job) => job.version)],
      { prepare: true },
    );
    const deleted = new Set<string>();
    for (const row of rows as { id: string; record: Job | null }[]) {
      deleted.add(row.id);
      if (row.record) this.count(row.record, null);
    }
    return deleted;
  }

  /** Sums what a change from `before` to `after` moves (null: no such job). */
  count(before: Job | null, after: Job | null): void {
    if (before?.state !== after?.state || before?.queue !== after?.queue) {
      if (before) this.#add("queue", before.queue, before.state, -1);
      if (after) this.#add("queue", after.queue, after.state, 1);
    }
    if (batchCountMoves(before, after)) {
      const id = (after?.batchId ?? before?.batchId)!;
      if (before) this.#add("batch", id, before.state, -1);
      if (after) this.#add("batch", id, after.state, 1);
    }
    this.written.push({ before, after });
    if (after?.state === "queued" && before?.state !== "queued") this.#woken.add(after.queue);
  }

  /** Marks `queue` as holding new ready jobs (a promotion done outside `count`). */
  wake(queue: string): void {
    this.#woken.add(queue);
  }

  /** Appends the summed counter deltas and sends the NOTIFYs; call once, last. */
  async flush(tx: Runner): Promise<void> {
    // Sent together: postgres.js pipelines them on the transaction's connection.
    await Promise.all([
      this.#counters.append(tx, [...this.#deltas.values()].filter((d) => d.n !== 0)),
      ...[...this.#woken].sort().map((queue) =>
        tx.unsafe(`SELECT pg_notify($1, $2)`, [this.#names.channel, queue], { prepare: true })
      ),
    ]);
    this.#deltas.clear();
  }

  #add(kind: CounterKind, a: string, b: string, n: number): void {
    const id = `${kind}\u0000${a}\u0000${b}`;
    const delta = this.#deltas.get(id) ?? { kind, a, b, n: 0 };
    delta.n += n;
    this.#deltas.set(id, delta);
  }
}
