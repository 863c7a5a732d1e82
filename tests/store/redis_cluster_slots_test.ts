/**
 * Redis Cluster slots, checked on a standalone redis-server: MONITOR records every command
 * a store operation sends, and every command its Lua scripts run; Redis itself names each
 * command's keys (`COMMAND GETKEYS`) and their slots (`CLUSTER KEYSLOT`, asked of a second
 * server with `cluster-enabled yes`: Redis 7.0 answers it only in cluster mode). With the prefix
 * `{tq}`, every key of an operation that spans queues (a flow across two queues, a group's
 * chained insert, an idempotent insert, a schedule run, an insert into two queues) is in
 * one slot; with the
 * default prefix, the claim, update and delete scripts of one queue stay in its slot, and
 * the insert script adds only the shared set of queues (since 18a5e14: one script instead
 * of a MULTI), which is why a Cluster needs the `{tq}` prefix.
 */
import { scheduleRun } from "../../src/scheduler/schedule_records.ts";
import { Redis } from "ioredis";
import { insertIdempotent } from "../../src/guards/idempotency.ts";
import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import type { Job } from "../../src/job.ts";
import { newJobId } from "../../src/ids.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { withLinks } from "../../src/flows/linked_store.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob, finishJob } from "../../src/transitions/mod.ts";
import { RedisServer } from "./redis_server.ts";

const T0 = Date.UTC(2026, 0, 1);

/** One command as MONITOR saw it: from a client, or run by a script (`lua`). */
interface Seen {
  lua: boolean;
  args: string[];
}

const job = (queue: string, dependsOn?: string[]): Job =>
  createJob({ id: newJobId(T0), task: "t", queue, input: {}, dependsOn }, T0);

/** Runs `fn` with a store on a fresh server and a recorder of what each operation sent. */
async function withRecorder(
  prefix: string | undefined,
  fn: (
    store: Store,
    record: (op: () => Promise<unknown>) => Promise<Seen[]>,
    slotsOf: (
      seen: Seen[],
    ) => Promise<Set<number>>,
  ) => Promise<void>,
): Promise<void> {
  const server = await RedisServer.start();
  const oracle = await RedisServer.start({ args: ["--cluster-enabled", "yes"] });
  const slotClient = new Redis(oracle.url);
  const store = withLinks(await openRedisStore(server.url, { prefix, clock: new FakeClock(T0) }));
  const admin = new Redis(server.url);
  // Every other connection is up (its ready check answered) before MONITOR starts: a
  // connection's INFO echoed while MONITOR is being set up confuses ioredis's reply queue.
  await Promise.all([admin.ping(), slotClient.ping(), store.ping()]);
  const monitor = await admin.monitor();
  const seen: Seen[] = [];
  let marker: (() => void) | undefined;
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (args[0]?.toLowerCase() === "echo" && args[1] === "tq-op-end") marker?.();
    else if (!/^(monitor|echo)$/i.test(args[0] ?? "")) seen.push({ lua: source === "lua", args });
  });
  const record = async (op: () => Promise<unknown>) => {
    seen.length = 0;
    await op();
    await new Promise<void>((resolve) => {
      marker = resolve;
      admin.echo("tq-op-end");
    });
    return [...seen];
  };
  const slotsOf = async (commands: Seen[]) => {
    const slots = new Set<number>();
    for (const { args } of commands) {
      if (/^(eval|evalsha|multi|exec|publish|script|subscribe|ping|info)$/i.test(args[0])) {
        continue; // no keys of their own (a script's keys show in the commands it runs)
      }
      const keys = await admin.call("COMMAND", "GETKEYS", ...args) as string[];
      for (const key of keys) {
        slots.add(await slotClient.call("CLUSTER", "KEYSLOT", key) as number);
      }
    }
    return slots;
  };
  try {
    await fn(store, record, slotsOf);
  } finally {
    monitor.disconnect();
    admin.disconnect();
    slotClient.disconnect();
    store.close();
    await server.stop();
    await oracle.stop();
  }
}

Deno.test("with the prefix {tq}, each cross-queue operation keeps every key in one slot", async () => {
  await withRecorder("{tq}", async (store, record, slotsOf) => {
    const parent = job("encode");
    const child = job("thumbnails", [parent.id]);
    const grouped = ["a", "b"].map((queue) =>
      createJob({ id: newJobId(T0), task: "t", queue, input: {}, group: "g" }, T0)
    );
    const operations: [string, () => Promise<unknown>][] = [
      ["a flow across two queues", () => store.jobInsertMany({ jobs: [parent, child] })],
      ["an insert into two queues", () => store.jobInsertMany({ jobs: [job("a"), job("b")] })],
      ["a group's jobs in two queues, chained", () => store.jobInsertMany({ jobs: grouped })],
      ["a parent's finish promoting its child in another queue", async () => {
        const [claimed] = await store.jobClaim({
          queues: ["encode"],
          workerId: "w",
          limit: 1,
          leaseMs: 60_000,
          now: T0,
        });
        const done = finishJob(claimed, { now: T0, result: 1, ttlMs: 60_000 });
        await store.jobUpdateMany({ updates: [{ before: claimed, after: done }] });
      }],
      [
        "an idempotent insert (a record commit)",
        () => insertIdempotent(store, { job: job("mail"), key: "k", ttlMs: 60_000 }),
      ],
      [
        "a schedule run",
        () => scheduleRun(store, { name: "nightly", job: job("reports"), tickAt: T0 }),
      ],
      ["a lookup by id, which tries every queue", () => store.jobGetMany([parent.id, child.id])],
    ];
    const slot = await slotsOf([{ lua: false, args: ["GET", "{tq}"] }]);
    for (const [name, op] of operations) {
      const commands = await record(op);
      assertEquals(await slotsOf(commands), slot, name);
    }
    assertEquals((await store.jobGet(child.id))?.state, "queued", "the child was promoted");
  });
});

Deno.test("with the default prefix, a single queue's scripts stay in its slot, the insert's beside tq:queues", async () => {
  await withRecorder(undefined, async (store, record, slotsOf) => {
    const jobs = [job("mail"), job("mail")];
    const queueSlot = await slotsOf([{ lua: false, args: ["GET", "{tq:mail}"] }]);
    const insertSlots = await slotsOf([{
      lua: false,
      args: ["MGET", "{tq:mail}", "tq:queues"],
    }]);
    let claimed: Job[] = [];
    let finished: Job[] = [];
    const operations: [string, () => Promise<unknown>][] = [
      ["insert", () => store.jobInsertMany({ jobs })],
      ["claim", async () => {
        claimed = await store.jobClaim({
          queues: ["mail"],
          workerId: "w",
          limit: 2,
          leaseMs: 60_000,
          now: T0,
        });
      }],
      ["finish", () => {
        finished = claimed.map((job) => finishJob(job, { now: T0, result: null, ttlMs: 60_000 }));
        return store.jobUpdateMany({
          updates: claimed.map((before, i) => ({ before, after: finished[i] })),
        });
      }],
      ["delete", () => store.jobDelete({ job: finished[0] })],
    ];
    for (const [name, op] of operations) {
      const commands = await record(op);
      // Split into scripts: MONITOR shows an EVALSHA (or EVAL), then the commands it ran.
      const scripts: Seen[][] = [];
      for (const command of commands) {
        if (/^eval(sha)?$/i.test(command.args[0])) scripts.push([]);
        else if (command.lua) scripts.at(-1)?.push(command);
      }
      assertEquals(scripts.some((script) => script.length > 0), true, `${name} ran no script`);
      const expected = name === "insert" ? insertSlots : queueSlot;
      for (const script of scripts.filter((script) => script.length > 0)) {
        assertEquals(await slotsOf(script), expected, name);
      }
    }
  });
});
