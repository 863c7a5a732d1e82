/**
 * The PostgreSQL layout: every table of the store in one schema (default `tq`), created
 * and migrated when a store opens. Migrations run under `pg_advisory_lock`, so processes
 * starting together apply each step once, and every applied step is a row of `layout`.
 *
 * | table | holds |
 * | --- | --- |
 * | `jobs` | one row per job: the record (`record`, jsonb) and the fields its indexes need as columns |
 * | `queue_counts` | exact counts per queue and state, rolled up from `counter_deltas` |
 * | `batch_counts` | counts per batch and state, likewise |
 * | `counter_deltas` | what each job change's transaction adds to those counters (`counters.ts`) |
 * | `records`, `record_versions` | keyed records (`records.ts`): sessions, workers, pauses, holds, kept events, idempotency and debounce keys, schedules, batches, group lanes, job log lines, job statistics, rate limit windows |
 * | `meta` | `ping` |
 *
 * The indexed columns of `jobs` are derived from `record` by the store; `tq doctor` finds
 * rows where they disagree (`audit.ts`). `record` is null only after damage behind the
 * store's back.
 *
 * @example
 * ```ts ignore
 * const names = new SqlNames("tq");
 * await migrate(sql, names);
 * ```
 * @module
 */
import type { Sql } from "postgres";
import { StoreTooNewError } from "../../errors.ts";

/** The default schema. */
export const DEFAULT_SCHEMA = "tq";

/** The channel NOTIFY wakes idle workers on; the payload is the queue's name. */
export const WAKE_CHANNEL_SUFFIX = "_wake";

/**
 * Quoted identifiers of one schema's tables, for SQL text. A schema name is checked when
 * the store opens, and quoted all the same.
 */
export class SqlNames {
  readonly schema: string;

  constructor(schema: string) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,47}$/.test(schema)) {
      throw new RangeError(
        `PostgreSQL schema "${schema}" must be 1-48 of A-Z a-z 0-9 _, not starting with a digit`,
      );
    }
    this.schema = schema;
  }

  /** `"schema"."table"`. */
  table(name: string): string {
    return `"${this.schema}"."${name}"`;
  }

  /** The NOTIFY channel of this schema (an identifier, so quoted in LISTEN and NOTIFY). */
  get channel(): string {
    return `${this.schema}${WAKE_CHANNEL_SUFFIX}`;
  }

  /** The key of the advisory lock migrations hold (a fixed number xor the schema's hash). */
  get lockKey(): string {
    return `hashtext('tq-migrate:' || '${this.schema}')`;
  }
}

/**
 * Each step of the layout, in order; the index + 1 is the version it brings.
 *
 * @example
 * ```ts
 * import { layoutSteps, SqlNames } from "./schema.ts";
 * console.assert(layoutSteps(new SqlNames("tq"))[0].includes(`"tq"."jobs"`));
 * ```
 */
export function layoutSteps(n: SqlNames): string[] {
  const t = (name: string) => n.table(name);
  return [
    `
    CREATE TABLE ${t("jobs")} (
      "id" text COLLATE "C" PRIMARY KEY,
      "queue" text,
      "state" text,
      "priority" integer,
      "run_at" bigint,
      "task" text,
      "lease_expires_at" bigint,
      "expires_at" bigint,
      "callback_due_at" bigint,
      "version" integer NOT NULL,
      "record" jsonb
    );
    CREATE INDEX "jobs_ready" ON ${t("jobs")} ("queue", "priority", "run_at", "id")
      WHERE "state" = 'queued';
    CREATE INDEX "jobs_scheduled" ON ${t("jobs")} ("run_at", "id") WHERE "state" = 'scheduled';
    CREATE INDEX "jobs_lease" ON ${t("jobs")} ("lease_expires_at", "id") WHERE "state" = 'started';
    CREATE INDEX "jobs_expires" ON ${t("jobs")} ("expires_at", "id")
      WHERE "expires_at" IS NOT NULL;
    CREATE INDEX "jobs_callback" ON ${t("jobs")} ("callback_due_at", "id")
      WHERE "callback_due_at" IS NOT NULL;
    CREATE INDEX "jobs_state" ON ${t("jobs")} ("state", "id");
    CREATE TABLE ${t("queue_counts")} (
      "queue" text NOT NULL, "state" text NOT NULL, "n" bigint NOT NULL,
      PRIMARY KEY ("queue", "state")
    );
    CREATE TABLE ${t("batch_counts")} (
      "batch_id" text NOT NULL, "state" text NOT NULL, "n" bigint NOT NULL,
      PRIMARY KEY ("batch_id", "state")
    );
    CREATE TABLE ${t("counter_deltas")} (
      "kind" text NOT NULL, "a" text NOT NULL, "b" text NOT NULL, "minute" bigint,
      "n" bigint NOT NULL
    );
    CREATE TABLE ${t("stats")} (
      "key" text PRIMARY KEY, "minute" bigint, "value" bigint NOT NULL
    );
    CREATE TABLE ${t("batches")} (
      "id" text PRIMARY KEY, "record" jsonb NOT NULL, "open" boolean NOT NULL
    );
    CREATE INDEX "batches_open" ON ${t("batches")} ("id") WHERE "open";
    CREATE TABLE ${t("idempotency")} (
      "key" text PRIMARY KEY, "job_id" text NOT NULL, "expires_at" bigint NOT NULL
    );
    CREATE TABLE ${t("schedules")} ("name" text PRIMARY KEY, "record" jsonb NOT NULL);
    CREATE TABLE ${t("groups")} (
      "group_key" text PRIMARY KEY, "tail_id" text NOT NULL, "expires_at" bigint NOT NULL
    );
    CREATE TABLE ${t("paused_queues")} ("queue" text PRIMARY KEY);
    CREATE TABLE ${t("task_holds")} ("task" text PRIMARY KEY, "until" bigint NOT NULL);
    CREATE TABLE ${t("rate_windows")} ("key" text PRIMARY KEY, "starts" jsonb NOT NULL);
    CREATE TABLE ${t("workers")} (
      "id" text PRIMARY KEY, "record" jsonb NOT NULL, "expires_at" bigint NOT NULL
    );
    CREATE TABLE ${t("job_logs")} (
      "job_id" text NOT NULL, "seq" text NOT NULL, "line" jsonb NOT NULL,
      PRIMARY KEY ("job_id", "seq")
    );
    CREATE TABLE ${t("sessions")} (
      "key" text PRIMARY KEY, "record" jsonb NOT NULL, "expires_at" bigint NOT NULL
    );
    CREATE TABLE ${t("meta")} ("key" text PRIMARY KEY, "value" text NOT NULL);
    `,
    // Durable steps, concurrency lanes, debounce, and expiry of what features keep.
    `
    ALTER TABLE ${t("jobs")} ADD COLUMN "wait_event" text, ADD COLUMN "wait_key" text;
    DROP INDEX ${t("jobs_scheduled")};
    CREATE INDEX "jobs_due" ON ${t("jobs")} ("run_at", "id")
      WHERE "state" IN ('scheduled', 'waiting');
    CREATE INDEX "jobs_waiting" ON ${t("jobs")} ("wait_event", "wait_key", "id")
      WHERE "state" = 'waiting';
    ALTER TABLE ${t("groups")} RENAME COLUMN "tail_id" TO "lanes";
    UPDATE ${t("groups")} SET "group_key" = 'group:' || "group_key";
    CREATE INDEX "groups_expires" ON ${t("groups")} ("expires_at");
    CREATE INDEX "idempotency_expires" ON ${t("idempotency")} ("expires_at");
    ALTER TABLE ${t("batches")} ADD COLUMN "expires_at" bigint;
    CREATE INDEX "batches_expires" ON ${t("batches")} ("expires_at")
      WHERE "expires_at" IS NOT NULL;
    CREATE TABLE ${t("debounce")} (
      "task" text NOT NULL, "key" text NOT NULL, "record" jsonb NOT NULL,
      "expires_at" bigint NOT NULL, PRIMARY KEY ("task", "key")
    );
    CREATE INDEX "debounce_expires" ON ${t("debounce")} ("expires_at");
    CREATE TABLE ${t("events")} (
      "name" text NOT NULL, "key" text NOT NULL, "sent_at" bigint NOT NULL,
      "id" text COLLATE "C" NOT NULL, "record" jsonb NOT NULL, "expires_at" bigint NOT NULL,
      PRIMARY KEY ("name", "key", "sent_at", "id")
    );
    CREATE INDEX "events_expires" ON ${t("events")} ("expires_at");
    CREATE INDEX "sessions_expires" ON ${t("sessions")} ("expires_at");
    `,
    // Sessions, workers, queue pauses and task holds as keyed records (`records.ts`).
    `
    CREATE SEQUENCE ${t("record_versions")};
    CREATE TABLE ${t("records")} (
      "space" text COLLATE "C" NOT NULL, "key" text COLLATE "C" NOT NULL,
      "value" jsonb NOT NULL, "version" bigint NOT NULL, "expires_at" bigint,
      PRIMARY KEY ("space", "key")
    );
    CREATE INDEX "records_expires" ON ${t("records")} ("expires_at")
      WHERE "expires_at" IS NOT NULL;
    INSERT INTO ${t("records")} ("space", "key", "value", "version", "expires_at")
      SELECT 'queue_pause', "queue", 'true', nextval('${t("record_versions")}'), NULL
        FROM ${t("paused_queues")}
      UNION ALL SELECT 'task_hold', "task", jsonb_build_object('until', "until"),
        nextval('${t("record_versions")}'), "until" + 60000 FROM ${t("task_holds")}
      UNION ALL SELECT 'session', "key", "record", nextval('${t("record_versions")}'),
        "expires_at" FROM ${t("sessions")}
      UNION ALL SELECT 'worker', "id", "record", nextval('${t("record_versions")}'),
        "expires_at" FROM ${t("workers")};
    DROP TABLE ${t("paused_queues")}, ${t("task_holds")}, ${t("sessions")}, ${t("workers")};
    `,
    // Events are kept as keyed records (`src/steps/kept_events.ts`); those kept before are
    // dropped (docs/stores.md): they were kept for 24 h only.
    `DROP TABLE ${t("events")};`,
    // Idempotency keys are keyed records (`src/guards/idempotency.ts`): they move there.
    `
    INSERT INTO ${t("records")} ("space", "key", "value", "version", "expires_at")
      SELECT 'idempotency', "key",
        jsonb_build_object('jobId', "job_id", 'expiresAt', "expires_at"),
        nextval('${t("record_versions")}'), "expires_at" FROM ${t("idempotency")}
      ON CONFLICT ("space", "key") DO NOTHING;
    DROP TABLE ${t("idempotency")};
    `,
    // Schedules are keyed records (`src/scheduler/schedule_records.ts`): they move there.
    `
    INSERT INTO ${t("records")} ("space", "key", "value", "version", "expires_at")
      SELECT 'schedule', "name", "record" - 'name' - 'paused',
        nextval('${t("record_versions")}'), NULL::bigint
        FROM ${t("schedules")} WHERE "record" ?| array['lastTickAt', 'lastRunAt', 'lastJobId']
      UNION ALL SELECT 'schedule_pause', "name", 'true', nextval('${t("record_versions")}'), NULL
        FROM ${t("schedules")} WHERE ("record" ->> 'paused')::boolean
      ON CONFLICT ("space", "key") DO NOTHING;
    DROP TABLE ${t("schedules")};
    `,
    // Debounce keys are keyed records (`src/guards/debounce.ts`): they move there.
    `
    INSERT INTO ${t("records")} ("space", "key", "value", "version", "expires_at")
      SELECT 'debounce', "task" || ':' || "key", "record", nextval('${t("record_versions")}'),
        "expires_at" FROM ${t("debounce")} WHERE "record" <> 'null'::jsonb
      ON CONFLICT ("space", "key") DO NOTHING;
    DROP TABLE ${t("debounce")};
    `,
    // Batches are keyed records (`src/batches/batch_records.ts`): they move there, the
    // open ones listed in `batch_open`; their counts stay in `batch_counts`.
    `
    INSERT INTO ${t("records")} ("space", "key", "value", "version", "expires_at")
      SELECT 'batch', "id", "record", nextval('${t("record_versions")}'), "expires_at"
        FROM ${t("batches")}
      UNION ALL SELECT 'batch_open', "id", 'true', nextval('${t("record_versions")}'), NULL
        FROM ${t("batches")} WHERE "open"
      ON CONFLICT ("space", "key") DO NOTHING;
    DROP TABLE ${t("batches")};
    `,
    // Group and concurrency-key lanes are keyed records (`src/guards/group_writes.ts`,
    // space `lane`, keyed by `chainId` as `group_key` was), each one's tails as a string.
    `
    INSERT INTO ${t("records")} ("space", "key", "value", "version", "expires_at")
      SELECT 'lane', "group_key", to_jsonb("lanes"), nextval('${t("record_versions")}'),
        "expires_at" FROM ${t("groups")}
      ON CONFLICT ("space", "key") DO NOTHING;
    DROP TABLE ${t("groups")};
    `,
    // Job log lines are keyed records (`src/job_log/job_log.ts`): they move there, kept 8
    // days after they were written as before. The statistics are records of `src/metrics/`
    // now: the old sums are dropped, counted from zero (a counter reset to Prometheus).
    `
    INSERT INTO ${t("records")} ("space", "key", "value", "version", "expires_at")
      SELECT 'log', "job_id" || '/' || "seq", "line", nextval('${t("record_versions")}'),
        coalesce(("line" ->> 'at')::bigint, 0) + 691200000 FROM ${t("job_logs")}
      ON CONFLICT ("space", "key") DO NOTHING;
    DROP TABLE ${t("job_logs")}, ${t("stats")};
    DELETE FROM ${t("counter_deltas")} WHERE "kind" = 'stat';
    ALTER TABLE ${t("counter_deltas")} DROP COLUMN "minute";
    `,
    // Rate limit windows are keyed records (`src/guards/rate_limit_tokens.ts`). Those kept
    // before are dropped: a window spans a day at most, so an upgrade forgets at most the
    // starts of the one it falls in (docs/stores.md).
    `DROP TABLE ${t("rate_windows")};`,
  ];
}

/** The layout version this code writes. */
export const LAYOUT_VERSION = layoutSteps(new SqlNames(DEFAULT_SCHEMA)).length;

/**
 * Creates the schema and applies the steps not yet recorded in its `layout` table, under
 * an advisory lock held for the whole migration (not `migrations.ts`' runner: PostgreSQL's DDL
 * is transactional, so one transaction under a transaction-scoped lock needs no lease or
 * polling). A database at a newer version than this code knows is refused with
 * `StoreTooNewError`, as the other stores do: an older tq must not write a layout it does
 * not understand. `all` is every step this code knows (a test passes fewer to make an old
 * layout).
 */
export async function migrate(
  sql: Sql,
  names: SqlNames,
  all: string[] = layoutSteps(names),
): Promise<void> {
  await sql.begin(async (tx) => {
    await tx.unsafe(`SELECT pg_advisory_xact_lock(${names.lockKey})`);
    await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS "${names.schema}"`);
    await tx.unsafe(
      `CREATE TABLE IF NOT EXISTS ${names.table("layout")} (
        "version" integer PRIMARY KEY, "applied_at" timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const [row] = await tx.unsafe(
      `SELECT coalesce(max("version"), 0) AS "version" FROM ${names.table("layout")}`,
    );
    const current = Number(row.version);
    if (current > all.length) {
      throw new StoreTooNewError(`PostgreSQL schema "${names.schema}"`, current, all.length);
    }
    for (let version = current + 1; version <= all.length; version++) {
      await tx.unsafe(all[version - 1]);
      await tx.unsafe(`INSERT INTO ${names.table("layout")} ("version") VALUES (${version})`);
    }
  });
}
