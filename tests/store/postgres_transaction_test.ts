/**
 * Transactional enqueue on PostgreSQL: `task.enqueue(input, { transaction: tx })` inside
 * the caller's own `sql.begin` writes the job in that transaction. Rolled back, no job and
 * no run (but counted as enqueued: the store tells the insert before the caller's commit or
 * rollback, which it does not see); committed, a real worker runs it, and idle workers are
 * woken by the commit, not before. Another store refuses a transaction by name.
 */
import postgres from "postgres";
import { z } from "zod";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { connect } from "../../src/connect.ts";
import { TransactionUnsupportedError } from "../../src/errors.ts";
import { silentLogger } from "../../src/log.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { Worker } from "../../src/worker/worker.ts";
import { PostgresServer } from "./postgres_server.ts";
import { waitFor } from "../worker/helpers.ts";
import { readStats } from "../../src/metrics/stats_read.ts";

const server = await PostgresServer.start();
globalThis.addEventListener("unload", () => server.stopNow());

/** An app's PostgreSQL tables, tq's store and a worker, all on one database. */
async function app() {
  const schema = server.freshSchema();
  const sql = postgres(server.url, { onnotice: () => {} });
  await sql.unsafe(`CREATE TABLE "${schema}_orders" (id text PRIMARY KEY)`);
  const ran: string[] = [];
  const ship = defineTask({
    name: "ship",
    input: z.object({ order: z.string() }),
    handler: ({ order }) => void ran.push(order),
  });
  const registry = new Registry([ship]);
  const tq = await connect({ registry, postgres: server.url, postgresSchema: schema });
  const worker = new Worker({ store: tq.store, registry, logger: silentLogger });
  return {
    sql,
    ship,
    tq,
    worker,
    ran,
    orders: `"${schema}_orders"`,
    async [Symbol.asyncDispose]() {
      await worker.stop();
      await tq.close();
      await sql.end();
    },
  };
}

Deno.test("a job enqueued in a committed transaction exists and runs once", async () => {
  await using fx = await app();
  fx.worker.start();
  const job = await fx.sql.begin(async (tx) => {
    await tx.unsafe(`INSERT INTO ${fx.orders} VALUES ('o1')`);
    return await fx.ship.enqueue({ order: "o1" }, { transaction: tx });
  });
  await waitFor(async () => (await fx.tq.store.jobGet(job.id))?.state === "finished", "run");
  assertEquals(fx.ran, ["o1"]);
});

Deno.test("a job enqueued in a rolled-back transaction never exists nor runs", async () => {
  await using fx = await app();
  fx.worker.start();
  let id = "";
  await assertRejects(
    () =>
      fx.sql.begin(async (tx) => {
        await tx.unsafe(`INSERT INTO ${fx.orders} VALUES ('o2')`);
        id = (await fx.ship.enqueue({ order: "o2" }, { transaction: tx })).id;
        throw new Error("payment declined");
      }),
    Error,
    "payment declined",
  );
  assertEquals(await fx.tq.store.jobGet(id), null);
  assertEquals((await fx.sql.unsafe(`SELECT * FROM ${fx.orders}`)).length, 0);
  // A later job runs and finishes: the worker was looking, and saw nothing else.
  const later = await fx.ship.enqueue({ order: "o3" });
  await waitFor(async () => (await fx.tq.store.jobGet(later.id))?.state === "finished", "run");
  assertEquals(fx.ran, ["o3"]);
  assertEquals((await fx.tq.store.queueCounts())[0].finished, 1);
});

Deno.test("an idle worker's wait ends when the enqueuing transaction commits", async () => {
  await using fx = await app();
  const store = fx.tq.store;
  // The first wait starts the LISTEN and ends when it is on.
  await store.workWait({ queues: ["default"], timeoutMs: 10_000 });
  let woken = false;
  const waiting = store.workWait({ queues: ["default"], timeoutMs: 30_000 })
    .then(() => woken = true);
  await fx.sql.begin(async (tx) => {
    await fx.ship.enqueue({ order: "o4" }, { transaction: tx });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert(!woken, "woken before the commit");
  });
  const started = performance.now();
  await waiting;
  assert(performance.now() - started < 10_000);
});

Deno.test("a parent and its child enqueued in one transaction are linked in it, or vanish with it", async () => {
  await using fx = await app();
  let ids: string[] = [];
  await assertRejects(
    () =>
      fx.sql.begin(async (tx) => {
        const parent = await fx.ship.enqueue({ order: "p1" }, { transaction: tx });
        const child = await fx.ship.enqueue({ order: "c1" }, {
          transaction: tx,
          dependsOn: [parent.id],
        });
        ids = [parent.id, child.id];
        throw new Error("rolled back");
      }),
    Error,
    "rolled back",
  );
  assertEquals(await fx.tq.store.jobGetMany(ids), [null, null]);
  const [parent, child] = await fx.sql.begin(async (tx) => {
    const parent = await fx.ship.enqueue({ order: "p2" }, { transaction: tx });
    const child = await fx.ship.enqueue({ order: "c2" }, {
      transaction: tx,
      dependsOn: [parent.id],
    });
    return [parent, child];
  });
  assertEquals(child.state, "deferred");
  assertEquals((await fx.tq.store.jobGet(parent.id))?.dependants, [child.id]);
  fx.worker.start();
  await waitFor(async () => (await fx.tq.store.jobGet(child.id))?.state === "finished", "run");
  assertEquals(fx.ran, ["p2", "c2"]);
});

Deno.test("a group's jobs enqueued in a transaction chain in it, or leave no lane behind", async () => {
  await using fx = await app();
  await assertRejects(
    () =>
      fx.sql.begin(async (tx) => {
        await fx.ship.enqueue({ order: "g1" }, { transaction: tx, group: "user:1" });
        throw new Error("rolled back");
      }),
    Error,
    "rolled back",
  );
  const [first, second] = await fx.sql.begin(async (tx) => [
    await fx.ship.enqueue({ order: "g2" }, { transaction: tx, group: "user:1" }),
    await fx.ship.enqueue({ order: "g3" }, { transaction: tx, group: "user:1" }),
  ]);
  assertEquals([first.state, second.state, second.groupAfter], ["queued", "deferred", first.id]);
  fx.worker.start();
  await waitFor(async () => (await fx.tq.store.jobGet(second.id))?.state === "finished", "run");
  assertEquals(fx.ran, ["g2", "g3"]);
});

Deno.test("two transactions appending to one group at once chain one after the other", async () => {
  await using fx = await app();
  const { promise: holding, resolve: release } = Promise.withResolvers<void>();
  const { promise: inserted, resolve: didInsert } = Promise.withResolvers<void>();
  const first = fx.sql.begin(async (tx) => {
    const job = await fx.ship.enqueue({ order: "a" }, { transaction: tx, group: "user:2" });
    didInsert();
    await holding; // the group's record stays locked by this transaction meanwhile
    return job;
  });
  await inserted;
  // Reads no lane (the first one's is not committed), then waits on its row, loses, reads again.
  const second = fx.sql.begin((tx) =>
    fx.ship.enqueue({ order: "b" }, { transaction: tx, group: "user:2" })
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  release();
  const [a, b] = await Promise.all([first, second]);
  assertEquals([a.state, b.state, b.groupAfter], ["queued", "deferred", a.id]);
  assertEquals((await fx.tq.store.jobGet(a.id))?.dependants, [b.id]);
});

Deno.test("a transaction on the KV store is refused with TransactionUnsupportedError", async () => {
  const dir = await Deno.makeTempDir();
  const ship = defineTask({ name: "ship", input: z.object({}), handler: () => {} });
  const tq = await connect({ registry: new Registry([ship]), db: `${dir}/tq.db` });
  try {
    await assertRejects(
      () => ship.enqueue({}, { transaction: {} }),
      TransactionUnsupportedError,
      "PostgreSQL",
    );
    assertEquals((await tq.store.jobList({ limit: 10 })).jobs, []);
  } finally {
    await tq.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a job enqueued in a rolled-back transaction is counted as enqueued all the same", async () => {
  await using fx = await app();
  await assertRejects(
    () =>
      fx.sql.begin(async (tx) => {
        await fx.ship.enqueue({ order: "o4" }, { transaction: tx });
        throw new Error("payment declined");
      }),
    Error,
    "payment declined",
  );
  // The store tells the insert when it returns; the caller's rollback comes later, unseen.
  await fx.tq.stats.flush();
  const stats = await readStats(fx.tq.store, { since: 0, now: Date.now() });
  const enqueued = stats.find((s) => s.key.join() === "jobs,enqueued,default,ship");
  assertEquals(enqueued?.value, 1);
  assertEquals((await fx.tq.store.queueCounts()).length, 0);
});
