import { FakeClock } from "../../src/clock.ts";
import { StoreTooNewError } from "../../src/errors.ts";
import { openKvStore } from "../../src/store/kv/kv_store.ts";
import { KV_MIGRATIONS, KvLayout } from "../../src/store/kv/layout.ts";
import { assertEquals, assertRejects } from "../assert.ts";
import { assertLockRenewed, assertMigratesOnce } from "./layout_race.ts";
import { pausedQueues } from "../../src/guards/queue_pauses.ts";
import { taskHoldList } from "../../src/guards/task_holds.ts";
import { workerList } from "../../src/presence/worker_registry.ts";
import { assertKeyHolds } from "./conformance_idempotency.ts";
import { assertDebounceJoins, oldDebounced } from "./conformance_debounce.ts";
import { assertSchedulesKept, OLD_SCHEDULES } from "./conformance_schedules.ts";
import { assertBatchesKept, oldBatches } from "./conformance_batches.ts";
import { assertLanesKept, oldLanes } from "./conformance_groups.ts";
import { withLinks } from "../../src/flows/linked_store.ts";
import { assertLogLinesKept, oldLogLines } from "./conformance_telemetry.ts";
import { newJobId } from "../../src/ids.ts";
import { createJob } from "../../src/transitions/mod.ts";

async function tempFile(): Promise<string> {
  return `${await Deno.makeTempDir({ prefix: "tq-layout-" })}/tq.db`;
}

async function keysUnder(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvKey[]> {
  const keys: Deno.KvKey[] = [];
  for await (const entry of kv.list({ prefix })) keys.push(entry.key);
  return keys;
}

Deno.test("opening a KV file an older tq wrote deletes its stale queued-state entries and records the newest layout", async () => {
  const path = await tempFile();
  const old = await Deno.openKv(path);
  for (let i = 0; i < 700; i++) { // more than one delete commit
    await old.set(["state", "queued", `job${i}`], { queue: "default", task: "t" });
  }
  await old.set(["state", "failed", "kept"], { queue: "default", task: "t" });
  old.close();

  const store = await openKvStore(path);
  store.close();

  const kv = await Deno.openKv(path);
  assertEquals(await keysUnder(kv, ["state", "queued"]), []);
  assertEquals(await keysUnder(kv, ["state", "failed"]), [["state", "failed", "kept"]]);
  assertEquals((await kv.get(["layout", "version"])).value, KV_MIGRATIONS.length);
  assertEquals(await keysUnder(kv, ["layout", "lock"]), []);
  kv.close();
});

/**
 * Runs `check` on two layouts of one new KV file, each through a handle of its own (two
 * processes, as far as SQLite can tell): their commits retry while the other holds the file.
 */
async function withTwoOpeners(
  check: (layouts: [KvLayout, KvLayout], clock: FakeClock) => Promise<void>,
): Promise<void> {
  const path = await tempFile();
  const [a, b] = [await Deno.openKv(path), await Deno.openKv(path)];
  const clock = new FakeClock();
  try {
    await check([new KvLayout(a, clock), new KvLayout(b, clock)], clock);
  } finally {
    a.close();
    b.close();
  }
}

Deno.test("two openers of one KV file run its migration once", () =>
  withTwoOpeners(assertMigratesOnce));

Deno.test("a KV migration lock whose holder died is taken over once it lapses", async () => {
  const kv = await Deno.openKv(":memory:");
  const clock = new FakeClock();
  const layout = new KvLayout(kv, clock);
  assertEquals(await layout.lockTake({ owner: "dead", ms: 1_000 }), true);
  clock.advance(500);
  assertEquals(await layout.lockTake({ owner: "dead", ms: 1_000 }), true, "its holder renews it");
  clock.advance(500);
  assertEquals(await layout.lockTake({ owner: "next", ms: 1_000 }), false);
  clock.advance(1_000);
  assertEquals(await layout.lockTake({ owner: "next", ms: 1_000 }), true);
  kv.close();
});

Deno.test("a KV file with a layout newer than this tq is refused, asking for an upgrade", async () => {
  const path = await tempFile();
  const newer = await Deno.openKv(path);
  await newer.set(["layout", "version"], 99);
  await newer.set(["state", "queued", "x"], { queue: "default", task: "t" });
  newer.close();

  const error = await assertRejects(() => openKvStore(path), StoreTooNewError, "upgrade tq");
  assertEquals([error.version, error.knownVersion], [99, KV_MIGRATIONS.length]);
  const kv = await Deno.openKv(path);
  assertEquals((await keysUnder(kv, ["state", "queued"])).length, 1); // untouched
  kv.close();
});

Deno.test("a KV file an older tq wrote keeps its queue pauses, task holds and sessions as keyed records", async () => {
  const path = await tempFile();
  const now = Date.now();
  const session = { role: "admin", tokenHash: "h", csrf: "c", expiresAt: now + 3_600_000 };
  const worker = { id: "w", expiresAt: now + 15_000 };
  const old = await Deno.openKv(path);
  await old.set(["layout", "version"], 1);
  await old.set(["paused", "mail"], true);
  await old.set(["task_hold", "send"], now + 60_000, { expireIn: 120_000 });
  await old.set(["session", "hash"], session, { expireIn: 3_600_000 });
  await old.set(["worker", "w"], worker, { expireIn: 15_000 });
  old.close();

  const store = await openKvStore(path);
  try {
    assertEquals(await pausedQueues(store), ["mail"]);
    assertEquals(await taskHoldList(store, { now }), [{ task: "send", until: now + 60_000 }]);
    assertEquals((await store.recordGet({ space: "session", key: "hash" }))?.value, session);
    assertEquals(await workerList(store, { now }), [], "workers write theirs again");
  } finally {
    store.close();
  }
  const kv = await Deno.openKv(path);
  for (const prefix of ["paused", "task_hold", "session", "worker"]) {
    assertEquals(await keysUnder(kv, [prefix]), [], `nothing left under ${prefix}`);
  }
  kv.close();
});

Deno.test("a KV file at layout 2 keeps its idempotency keys as keyed records", async () => {
  const path = await tempFile();
  const now = Date.now();
  const first = createJob({ id: newJobId(now), task: "t", input: 1 }, now);
  const old = await Deno.openKv(path);
  await old.set(["layout", "version"], 2);
  await old.set(["idem", "order-42"], { jobId: first.id, expiresAt: now + 60_000 }, {
    expireIn: 60_000,
  });
  old.close();

  const store = await openKvStore(path);
  try {
    await assertKeyHolds(store, "order-42", first);
  } finally {
    store.close();
  }
  const kv = await Deno.openKv(path);
  assertEquals(await keysUnder(kv, ["idem"]), []);
  kv.close();
});

Deno.test("a KV file at layout 3 keeps its schedules' last runs and pauses as keyed records", async () => {
  const path = await tempFile();
  const old = await Deno.openKv(path);
  await old.set(["layout", "version"], 3);
  for (const schedule of OLD_SCHEDULES) await old.set(["schedule", schedule.name], schedule);
  old.close();

  const store = await openKvStore(path);
  try {
    await assertSchedulesKept(store);
  } finally {
    store.close();
  }
  const kv = await Deno.openKv(path);
  assertEquals(await keysUnder(kv, ["schedule"]), []);
  kv.close();
});

Deno.test("a KV file at layout 4 keeps its debounce keys as keyed records", async () => {
  const path = await tempFile();
  const { job, record } = oldDebounced(Date.now());
  const old = await Deno.openKv(path);
  await old.set(["layout", "version"], 4);
  await old.set(["debounce", "t", "user:1"], record, { expireIn: 3_600_000 });
  old.close();

  const store = await openKvStore(path);
  try {
    await assertDebounceJoins(store, job);
  } finally {
    store.close();
  }
  const kv = await Deno.openKv(path);
  assertEquals(await keysUnder(kv, ["debounce"]), []);
  kv.close();
});

Deno.test("a KV file at layout 5 keeps its batches as keyed records, and their counts", async () => {
  const path = await tempFile();
  const batches = oldBatches(Date.now());
  const { open, closed } = batches;
  const old = await Deno.openKv(path);
  await old.set(["layout", "version"], 5);
  await old.set(["batch", open.id], open);
  await old.set(["batch_open", open.id], 0);
  await old.set(["batch", closed.id], closed, { expireIn: 3_600_000 });
  await old.set(["batch_count", open.id, "queued"], new Deno.KvU64(2n));
  old.close();

  const store = await openKvStore(path);
  try {
    await assertBatchesKept(store, batches);
  } finally {
    store.close();
  }
  const kv = await Deno.openKv(path);
  assertEquals([...await keysUnder(kv, ["batch"]), ...await keysUnder(kv, ["batch_open"])], []);
  kv.close();
});

Deno.test("a KV file at layout 6 keeps its group and concurrency-key lanes as keyed records", async () => {
  const path = await tempFile();
  const now = Date.now();
  const { tails, lanes } = oldLanes(now);
  const old = await openKvStore(path);
  await old.recordCommit({ jobs: tails });
  old.close();
  const kv = await Deno.openKv(path);
  await kv.set(["layout", "version"], 6);
  for (const [id, value] of Object.entries(lanes)) {
    const [kind, key] = id.split(":");
    await kv.set([kind, key], value, { expireIn: 3_600_000 });
  }
  kv.close();

  const store = withLinks(await openKvStore(path));
  try {
    await assertLanesKept(store, tails, now);
  } finally {
    store.close();
  }
  const after = await Deno.openKv(path);
  assertEquals(
    [...await keysUnder(after, ["group"]), ...await keysUnder(after, ["concurrency"])],
    [],
  );
  after.close();
});

Deno.test("a KV file at layout 7 keeps its job log lines as keyed records and drops its statistics", async () => {
  const path = await tempFile();
  const lines = oldLogLines(Date.now());
  const old = await Deno.openKv(path);
  await old.set(["layout", "version"], 7);
  for (const line of lines) await old.set(["joblog", line.jobId, line.seq], line);
  await old.set(["stat", "jobs", "finished", "default", "t"], new Deno.KvU64(3n));
  old.close();

  const store = await openKvStore(path);
  try {
    await assertLogLinesKept(store, lines);
  } finally {
    store.close();
  }
  const kv = await Deno.openKv(path);
  assertEquals([...await keysUnder(kv, ["joblog"]), ...await keysUnder(kv, ["stat"])], []);
  kv.close();
});

Deno.test("a KV migration longer than the lock's lease keeps its lock while it runs", () =>
  withTwoOpeners(assertLockRenewed));
