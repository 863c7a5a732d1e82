/**
 * The PostgreSQL layout at open: the schema is created and migrated once however many
 * stores open it at the same moment (advisory lock), each step recorded in `layout`; a
 * layout newer than this tq is refused; the schema name is checked, and quoted, so a mixed
 * case name works; an address nothing listens at is "unavailable".
 */
import postgres from "postgres";
import { assertEquals, assertRejects } from "../assert.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { newJobId } from "../../src/ids.ts";
import { openPostgresStore } from "../../src/store/postgres/postgres_store.ts";
import { LAYOUT_VERSION, layoutSteps, migrate, SqlNames } from "../../src/store/postgres/schema.ts";
import { PostgresServer } from "./postgres_server.ts";
import { freePort } from "./redis_server.ts";
import { StoreTooNewError, StoreUnavailableError } from "../../src/errors.ts";
import { pausedQueues } from "../../src/guards/queue_pauses.ts";
import { taskHoldList } from "../../src/guards/task_holds.ts";
import { workerList } from "../../src/presence/worker_registry.ts";
import { keptEvents } from "../../src/steps/kept_events.ts";
import { assertKeyHolds } from "./conformance_idempotency.ts";
import { assertDebounceJoins, oldDebounced } from "./conformance_debounce.ts";
import { assertSchedulesKept, OLD_SCHEDULES } from "./conformance_schedules.ts";
import { assertBatchesKept, oldBatches } from "./conformance_batches.ts";
import { assertLanesKept, oldLanes } from "./conformance_groups.ts";
import { withLinks } from "../../src/flows/linked_store.ts";
import type { Job } from "../../src/job.ts";
import { assertLogLinesKept, oldLogLines } from "./conformance_telemetry.ts";

const server = await PostgresServer.start();
globalThis.addEventListener("unload", () => server.stopNow());

async function layoutRows(schema: string): Promise<number[]> {
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql.unsafe(
      `SELECT "version" FROM ${new SqlNames(schema).table("layout")} ORDER BY "version"`,
    );
    return rows.map((row) => Number(row.version));
  } finally {
    await sql.end();
  }
}

Deno.test("five stores opening one new schema at once migrate it exactly once", async () => {
  const schema = server.freshSchema();
  const stores = await Promise.all(
    Array.from({ length: 5 }, () => openPostgresStore(server.url, { schema })),
  );
  await Promise.all(stores.map((store) => store.close()));
  assertEquals(await layoutRows(schema), Array.from({ length: LAYOUT_VERSION }, (_, i) => i + 1));
});

Deno.test("a schema at a layout newer than this tq is refused, naming it", async () => {
  const schema = server.freshSchema();
  await (await openPostgresStore(server.url, { schema })).close();
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  await sql.unsafe(`INSERT INTO ${new SqlNames(schema).table("layout")} ("version") VALUES (99)`);
  await sql.end();
  await assertRejects(
    () => openPostgresStore(server.url, { schema }),
    StoreTooNewError,
    `"${schema}" has layout version 99`,
  );
});

Deno.test("a schema name that is not a plain identifier is refused before connecting", async () => {
  await assertRejects(
    () => openPostgresStore(server.url, { schema: `tq"; DROP TABLE x; --` }),
    RangeError,
    "must be 1-48 of A-Z a-z 0-9 _",
  );
});

Deno.test("a mixed-case schema name is kept as given (every identifier quoted)", async () => {
  const schema = `Mixed_${server.freshSchema()}`;
  const store = await openPostgresStore(server.url, { schema });
  try {
    const job = createJob({ id: newJobId(Date.now()), task: "t", input: 1 }, Date.now());
    await store.jobInsertMany({ jobs: [job] });
    assertEquals(await store.jobGet(job.id), job);
    assertEquals(await layoutRows(schema), Array.from({ length: LAYOUT_VERSION }, (_, i) => i + 1));
  } finally {
    await store.close();
  }
});

Deno.test("opening a PostgreSQL nothing listens at is StoreUnavailableError", async () => {
  await assertRejects(
    () => openPostgresStore(`postgres://postgres@127.0.0.1:${freePort()}/postgres`),
    StoreUnavailableError,
    "PostgreSQL unreachable",
  );
});

Deno.test("a schema at layout 1 migrates with its groups: a new job still waits behind the group's tail", async () => {
  const names = new SqlNames(server.freshSchema());
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  const now = Date.now();
  const tail = createJob({ id: newJobId(now), task: "t", input: 1, group: "g" }, now);
  try {
    await migrate(sql, names, layoutSteps(names).slice(0, 1));
    // What a layout-1 store wrote for a group with one queued job.
    await insertQueued(sql, names, tail);
    await sql.unsafe(
      `INSERT INTO ${names.table("groups")} ("group_key", "tail_id", "expires_at")
       VALUES ('g', $1, $2)`,
      [tail.id, now + 86_400_000],
    );
  } finally {
    await sql.end();
  }
  const store = withLinks(await openPostgresStore(server.url, { schema: names.schema }));
  try {
    assertEquals(
      await layoutRows(names.schema),
      Array.from({ length: LAYOUT_VERSION }, (_, i) => i + 1),
    );
    const next = createJob({ id: newJobId(now + 1), task: "t", input: 2, group: "g" }, now + 1);
    await store.jobInsertMany({ jobs: [next] });
    assertEquals((await store.jobGet(next.id))?.state, "deferred");
    assertEquals((await store.jobGet(tail.id))?.dependants, [next.id]);
  } finally {
    await store.close();
  }
});

Deno.test("a schema at layout 2 keeps its queue pauses, task holds, sessions and workers as keyed records", async () => {
  const names = new SqlNames(server.freshSchema());
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  const now = Date.now();
  const session = { role: "read", tokenHash: "h", csrf: "c", expiresAt: now + 3_600_000 };
  const worker = { id: "w", queues: ["mail"], expiresAt: now + 15_000 };
  try {
    await migrate(sql, names, layoutSteps(names).slice(0, 2));
    const t = (name: string) => names.table(name);
    await sql.unsafe(`INSERT INTO ${t("paused_queues")} VALUES ('mail')`);
    await sql.unsafe(`INSERT INTO ${t("task_holds")} VALUES ('send', $1)`, [now + 60_000]);
    await sql.unsafe(`INSERT INTO ${t("sessions")} VALUES ('hash', $1::text::jsonb, $2)`, [
      JSON.stringify(session),
      session.expiresAt,
    ]);
    await sql.unsafe(`INSERT INTO ${t("workers")} VALUES ('w', $1::text::jsonb, $2)`, [
      JSON.stringify(worker),
      worker.expiresAt,
    ]);
  } finally {
    await sql.end();
  }
  const store = await openPostgresStore(server.url, { schema: names.schema });
  try {
    assertEquals(await pausedQueues(store), ["mail"]);
    assertEquals(await taskHoldList(store, { now }), [{ task: "send", until: now + 60_000 }]);
    assertEquals((await store.recordGet({ space: "session", key: "hash" }))?.value, session);
    assertEquals((await workerList(store, { now })).map((w) => w.id), ["w"]);
  } finally {
    await store.close();
  }
});

Deno.test("a schema at layout 3 drops the events it kept: events are keyed records now", async () => {
  const names = new SqlNames(server.freshSchema());
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  const now = Date.now();
  try {
    await migrate(sql, names, layoutSteps(names).slice(0, 3));
    await sql.unsafe(
      `INSERT INTO ${names.table("events")} VALUES ('paid', 'o1', $1, 'e1', '{}', $2)`,
      [now, now + 86_400_000],
    );
  } finally {
    await sql.end();
  }
  const store = await openPostgresStore(server.url, { schema: names.schema });
  try {
    assertEquals(await keptEvents(store, { name: "paid", key: "o1", since: 0, limit: 10 }), []);
    assertEquals(
      await layoutRows(names.schema),
      Array.from({ length: LAYOUT_VERSION }, (_, i) => i + 1),
    );
  } finally {
    await store.close();
  }
});

Deno.test("a schema at layout 4 keeps its idempotency keys as keyed records", async () => {
  const names = new SqlNames(server.freshSchema());
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  const now = Date.now();
  const first = createJob({ id: newJobId(now), task: "t", input: 1 }, now);
  try {
    await migrate(sql, names, layoutSteps(names).slice(0, 4));
    await sql.unsafe(`INSERT INTO ${names.table("idempotency")} VALUES ('order-42', $1, $2)`, [
      first.id,
      now + 60_000,
    ]);
  } finally {
    await sql.end();
  }
  const store = await openPostgresStore(server.url, { schema: names.schema });
  try {
    await assertKeyHolds(store, "order-42", first);
  } finally {
    await store.close();
  }
});

Deno.test("a schema at layout 5 keeps its schedules' last runs and pauses as keyed records", async () => {
  const names = new SqlNames(server.freshSchema());
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    await migrate(sql, names, layoutSteps(names).slice(0, 5));
    for (const record of OLD_SCHEDULES) {
      await sql.unsafe(`INSERT INTO ${names.table("schedules")} VALUES ($1, $2::text::jsonb)`, [
        record.name,
        JSON.stringify(record),
      ]);
    }
  } finally {
    await sql.end();
  }
  const store = await openPostgresStore(server.url, { schema: names.schema });
  try {
    await assertSchedulesKept(store);
  } finally {
    await store.close();
  }
});

Deno.test("a schema at layout 6 keeps its debounce keys as keyed records", async () => {
  const names = new SqlNames(server.freshSchema());
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  const { job, record } = oldDebounced(Date.now());
  try {
    await migrate(sql, names, layoutSteps(names).slice(0, 6));
    await sql.unsafe(
      `INSERT INTO ${names.table("debounce")} VALUES ('t', 'user:1', $1::text::jsonb, $2)`,
      [JSON.stringify(record), record.firstAt + 3_600_000],
    );
  } finally {
    await sql.end();
  }
  const store = await openPostgresStore(server.url, { schema: names.schema });
  try {
    await assertDebounceJoins(store, job);
  } finally {
    await store.close();
  }
});

Deno.test("a schema at layout 7 keeps its batches as keyed records, and their counts", async () => {
  const names = new SqlNames(server.freshSchema());
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  const batches = oldBatches(Date.now());
  const { open, closed } = batches;
  try {
    await migrate(sql, names, layoutSteps(names).slice(0, 7));
    await sql.unsafe(
      `INSERT INTO ${names.table("batches")} ("id", "record", "open", "expires_at")
       VALUES ($1, $2::text::jsonb, true, NULL), ($3, $4::text::jsonb, false, $5)`,
      [open.id, JSON.stringify(open), closed.id, JSON.stringify(closed), Date.now() + 3_600_000],
    );
    await sql.unsafe(
      `INSERT INTO ${names.table("batch_counts")} VALUES ($1, 'queued', 2)`,
      [open.id],
    );
  } finally {
    await sql.end();
  }
  const store = await openPostgresStore(server.url, { schema: names.schema });
  try {
    await assertBatchesKept(store, batches);
  } finally {
    await store.close();
  }
});

/** What an older layout wrote for a queued job: its row with the columns layout 1 had. */
async function insertQueued(sql: postgres.Sql, names: SqlNames, job: Job): Promise<void> {
  await sql.unsafe(
    `INSERT INTO ${names.table("jobs")} ("id", "queue", "state", "priority", "run_at", "task",
       "version", "record") VALUES ($1, $2, 'queued', 0, $3, 't', 1, $4::text::jsonb)`,
    [job.id, job.queue, job.runAt, JSON.stringify(job)],
  );
}

Deno.test("a schema at layout 8 keeps its group and concurrency-key lanes as keyed records", async () => {
  const names = new SqlNames(server.freshSchema());
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  const now = Date.now();
  const { tails, lanes } = oldLanes(now);
  try {
    await migrate(sql, names, layoutSteps(names).slice(0, 8));
    for (const tail of tails) await insertQueued(sql, names, tail);
    for (const [key, value] of Object.entries(lanes)) {
      await sql.unsafe(`INSERT INTO ${names.table("groups")} VALUES ($1, $2, $3)`, [
        key,
        value,
        now + 3_600_000,
      ]);
    }
  } finally {
    await sql.end();
  }
  const store = withLinks(await openPostgresStore(server.url, { schema: names.schema }));
  try {
    await assertLanesKept(store, tails, now);
  } finally {
    await store.close();
  }
});

Deno.test("a schema at layout 9 keeps its job log lines as keyed records and drops its statistics", async () => {
  const names = new SqlNames(server.freshSchema());
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  const lines = oldLogLines(Date.now());
  try {
    await migrate(sql, names, layoutSteps(names).slice(0, 9));
    for (const line of lines) {
      await sql.unsafe(
        `INSERT INTO ${names.table("job_logs")} VALUES ($1, $2, $3::text::jsonb)`,
        [line.jobId, line.seq, JSON.stringify(line)],
      );
    }
    await sql.unsafe(
      `INSERT INTO ${names.table("counter_deltas")} VALUES ('stat', '["jobs"]', '', NULL, 1)`,
    );
  } finally {
    await sql.end();
  }
  const store = await openPostgresStore(server.url, { schema: names.schema });
  try {
    await assertLogLinesKept(store, lines);
  } finally {
    await store.close();
  }
  const check = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    const tables = await check.unsafe(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = $1 AND table_name IN ('job_logs', 'stats')`,
      [names.schema],
    );
    assertEquals(tables.length, 0);
    const deltas = await check.unsafe(
      `SELECT count(*)::int AS n FROM ${names.table("counter_deltas")}`,
    );
    assertEquals(deltas[0].n, 0);
  } finally {
    await check.end();
  }
});

Deno.test("a schema at layout 10 drops its rate limit windows: windows are keyed records now", async () => {
  const names = new SqlNames(server.freshSchema());
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    await migrate(sql, names, layoutSteps(names).slice(0, 10));
    await sql.unsafe(
      `INSERT INTO ${names.table("rate_windows")} VALUES ('task:send', $1::text::jsonb)`,
      [JSON.stringify([Date.now()])],
    );
  } finally {
    await sql.end();
  }
  const store = await openPostgresStore(server.url, { schema: names.schema });
  await store.close();
  const check = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    const tables = await check.unsafe(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = $1 AND table_name = 'rate_windows'`,
      [names.schema],
    );
    assertEquals(tables.length, 0);
  } finally {
    await check.end();
  }
});
