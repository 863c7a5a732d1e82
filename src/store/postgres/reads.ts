/**
 * Reads of jobs on PostgreSQL: by id, listings newest first (the columns `state`, `queue`
 * and `task` filter, the primary key pages), and the time-ordered lists of the promoter,
 * the rescuer, the pruner and the callback sender, and the waiting jobs an event wakes,
 * each served by a partial index of `schema.ts`. Rows whose record was lost (`tq doctor`'s business) are never answered.
 *
 * @example
 * ```ts ignore
 * const reads = new PostgresReads(sql, names);
 * const due = await reads.indexedBefore("sched", Date.now(), 100);
 * ```
 * @module
 */
import type { Job, JobState } from "../../job.ts";
import { JOB_STATES } from "../../job.ts";
import type { JobListParams, JobPage, QueueCounts } from "../store.ts";
import type { WaitingListParams } from "../events.ts";
import type { Runner } from "./changes.ts";
import type { SqlNames } from "./schema.ts";
import { PostgresCounters } from "./counters.ts";
import type { TimeIndex } from "../time_index.ts";

/** Jobs due at their `run_at`: scheduled ones, and waiting ones at their wait's timeout. */
const DUE = `"state" IN ('scheduled', 'waiting')`;

/**
 * The time-ordered lists and the `WHERE` of each (a partial index matches it). The clause
 * reads the row itself, so a listing answers only jobs still due by their own fields.
 */
const TIME_INDEXES: Record<TimeIndex, string> = {
  sched: `${DUE} AND "run_at" <= $1 ORDER BY "run_at", "id"`,
  lease: `"state" = 'started' AND "lease_expires_at" <= $1 ORDER BY "lease_expires_at", "id"`,
  exp: `"expires_at" <= $1 ORDER BY "expires_at", "id"`,
  callback: `"callback_due_at" <= $1 ORDER BY "callback_due_at", "id"`,
};

/** Job reads of one schema. */
export class PostgresReads {
  readonly #sql: Runner;
  readonly #jobs: string;
  readonly #counters: PostgresCounters;

  constructor(sql: Runner, names: SqlNames) {
    this.#sql = sql;
    this.#counters = new PostgresCounters(names);
    this.#jobs = names.table("jobs");
  }

  /** Jobs by id, in order, null where missing; `lock` takes their row locks (in a transaction). */
  async getMany(ids: string[], tx: Runner = this.#sql, lock = false): Promise<(Job | null)[]> {
    if (ids.length === 0) return [];
    const rows = await tx.unsafe(
      `SELECT "id", "record" FROM ${this.#jobs}
       WHERE "id" = ANY($1::text[]) AND "record" IS NOT NULL
       ORDER BY "id"${lock ? " FOR UPDATE" : ""}`,
      [ids],
      { prepare: true },
    );
    const byId = new Map<string, Job>(
      (rows as { id: string; record: Job }[]).map((row) => [row.id, row.record]),
    );
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** One page of jobs, newest first; the cursor is the last id answered. */
  async list({ state, queue, task, limit, cursor }: JobListParams): Promise<JobPage> {
    const where = [`"record" IS NOT NULL`];
    const params: unknown[] = [];
    const filter = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      params.push(value);
      where.push(`"${column}" ${column === "id" ? "<" : "="} $${params.length}`);
    };
    filter("state", state);
    filter("queue", queue);
    filter("task", task);
    filter("id", cursor);
    params.push(limit);
    const rows = await this.#sql.unsafe(
      `SELECT "record" FROM ${this.#jobs} WHERE ${where.join(" AND ")}
       ORDER BY "id" DESC LIMIT $${params.length}`,
      params,
      { prepare: true },
    );
    const jobs = (rows as { record: Job }[]).map((row) => row.record);
    return jobs.length === limit && limit > 0 ? { jobs, nextCursor: jobs.at(-1)!.id } : { jobs };
  }

  /** Jobs of `index` due at or before `now`, earliest first. */
  async indexedBefore(index: TimeIndex, now: number, limit: number): Promise<Job[]> {
    const rows = await this.#sql.unsafe(
      `SELECT "record" FROM ${this.#jobs}
       WHERE "record" IS NOT NULL AND ${TIME_INDEXES[index]} LIMIT $2`,
      [now, limit],
      { prepare: true },
    );
    return (rows as { record: Job }[]).map((row) => row.record);
  }

  /** The earliest `run_at` of a scheduled or waiting job, or null. */
  async nextRunAt(): Promise<number | null> {
    const [row] = await this.#sql.unsafe(
      `SELECT "run_at" FROM ${this.#jobs} WHERE ${DUE} ORDER BY "run_at", "id" LIMIT 1`,
      [],
      { prepare: true },
    );
    return row ? Number(row.run_at) : null;
  }

  /** Waiting jobs that wait for `event` with `key`, at most `limit`. */
  async waiting({ event, key, limit }: WaitingListParams): Promise<Job[]> {
    const rows = await this.#sql.unsafe(
      `SELECT "record" FROM ${this.#jobs}
       WHERE "state" = 'waiting' AND "wait_event" = $1 AND "wait_key" = $2
         AND "record" IS NOT NULL
       ORDER BY "id" LIMIT $3`,
      [event, key, limit],
      { prepare: true },
    );
    return (rows as { record: Job }[]).map((row) => row.record);
  }

  /** Counts per state of every queue that has a counter. */
  async queueCounts(): Promise<QueueCounts[]> {
    const queues = new Map<string, QueueCounts>();
    for (const row of await this.#counters.read(this.#sql, "queue")) {
      const counts = queues.get(row.a) ??
        { name: row.a, ...Object.fromEntries(JOB_STATES.map((s) => [s, 0])) } as QueueCounts;
      counts[row.b as JobState] = row.n;
      queues.set(row.a, counts);
    }
    return [...queues.values()];
  }

  /** For each queue, the earliest `run_at` of its ready jobs, or null. */
  async oldestReady(queues: string[]): Promise<(number | null)[]> {
    if (queues.length === 0) return [];
    const rows = await this.#sql.unsafe(
      `SELECT q."queue", (SELECT min("run_at") FROM ${this.#jobs} AS j
                          WHERE j."state" = 'queued' AND j."queue" = q."queue") AS "oldest"
       FROM unnest($1::text[]) AS q("queue")`,
      [queues],
      { prepare: true },
    );
    const byQueue = new Map<string, string | null>(
      (rows as { queue: string; oldest: string | null }[]).map((r) => [r.queue, r.oldest]),
    );
    return queues.map((queue) => {
      const oldest = byQueue.get(queue);
      return oldest === null || oldest === undefined ? null : Number(oldest);
    });
  }
}
