/**
 * A property of issue #20, on every store: whatever random sequence of enqueue (plain,
 * delayed, with `depends_on`, into an ordered group), cancel, delete (with and without
 * `cascade=cancel`), retry, work (claim, then finish or fail) and prune is applied, `tq
 * doctor` then finds nothing, and every job is either ended or able to run: draining the
 * store (promoting, claiming and finishing until nothing moves) ends every job.
 */
import fc from "fast-check";
import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { TqError } from "../../src/errors.ts";
import { newJobId } from "../../src/ids.ts";
import { isTerminal, type Job } from "../../src/job.ts";
import { changeJob, deleteJob } from "../../src/job_changes.ts";
import { silentLogger } from "../../src/log.ts";
import { runDoctor } from "../../src/maintenance/doctor/doctor.ts";
import { Pruner } from "../../src/maintenance/pruner.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { withLinks } from "../../src/flows/linked_store.ts";
import type { Store } from "../../src/store/store.ts";
import {
  cancelJob,
  createJob,
  failAttempt,
  finishJob,
  promoteJob,
  retryJob,
} from "../../src/transitions/mod.ts";
import { RedisServer } from "../store/redis_server.ts";

const T0 = Date.UTC(2026, 0, 1);
const TTL_MS = 5_000;

type Op =
  | { op: "enqueue"; delay: boolean; attempts: number }
  | { op: "depends"; parents: number[] }
  | { op: "group"; group: string }
  | { op: "cancel" | "retry" | "work" | "fail"; pick: number }
  | { op: "delete"; pick: number; cascade: boolean }
  | { op: "prune"; advance: number }
  /** Damage: the store's own delete, which does not look at dependants (what tq did before). */
  | { op: "raw_delete"; pick: number };

const pick = fc.nat(1_000);
const OPS: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("enqueue" as const),
    delay: fc.boolean(),
    attempts: fc.integer({ min: 1, max: 2 }),
  }),
  fc.record({
    op: fc.constant("depends" as const),
    parents: fc.array(pick, { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ op: fc.constant("group" as const), group: fc.constantFrom("g1", "g2") }),
  fc.record({
    op: fc.constantFrom("cancel" as const, "retry" as const, "work" as const, "fail" as const),
    pick,
  }),
  fc.record({ op: fc.constant("delete" as const), pick, cascade: fc.boolean() }),
  fc.record({ op: fc.constant("prune" as const), advance: fc.integer({ min: 0, max: 10_000 }) }),
);

/** Runs one op; refusals a user would see (409, 404, 422) are part of the game. */
async function apply(store: Store, clock: FakeClock, ids: string[], op: Op): Promise<void> {
  const now = clock.now();
  const at = (n: number) => ids[n % ids.length];
  const add = async (spec: Partial<Parameters<typeof createJob>[0]>) => {
    const job = createJob({ id: newJobId(now), task: "t", input: {}, ...spec }, now);
    await store.jobInsertMany({ jobs: [job] });
    ids.push(job.id);
  };
  try {
    switch (op.op) {
      case "enqueue":
        return await add({ runAt: op.delay ? now + 1_000 : now, maxAttempts: op.attempts });
      case "depends":
        if (ids.length === 0) return;
        return await add({ dependsOn: [...new Set(op.parents.map(at))] });
      case "group":
        return await add({ group: op.group });
    }
    if (ids.length === 0) return;
    const id = at("pick" in op ? op.pick : 0);
    switch (op.op) {
      case "cancel":
        await changeJob(store, id, (j) => cancelJob(j, { now, reason: "test", ttlMs: TTL_MS }));
        break;
      case "retry":
        await changeJob(store, id, (j) => retryJob(j, { now }));
        break;
      case "raw_delete": {
        const job = await store.jobGet(id);
        if (job && job.state !== "started") await store.jobDelete({ job });
        break;
      }
      case "delete":
        await deleteJob(store, id, {
          cascade: op.cascade ? "cancel" : undefined,
          now,
          ttlMs: TTL_MS,
        });
        break;
      case "work":
      case "fail":
        await work(store, now, op.op === "fail");
        break;
      case "prune": {
        clock.advance(op.advance);
        const pruner = new Pruner({ store, clock, logger: silentLogger });
        pruner.start();
        await pruner.stop();
      }
    }
  } catch (error) {
    if (!(error instanceof TqError) || error.code === "store_unavailable") throw error;
  }
}

/** Claims ready jobs and ends each attempt: finished, or failed (retried if it may). */
async function work(store: Store, now: number, fail: boolean): Promise<number> {
  const claimed = await store.jobClaim({
    queues: ["default"],
    workerId: "w",
    limit: 50,
    leaseMs: 60_000,
    now,
  });
  const updates = claimed.map((job) => ({
    before: job,
    after: fail
      ? failAttempt(job, {
        now,
        error: { name: "Error", message: "x" },
        retryDelayMs: 100,
        ttlMs: TTL_MS,
      })
      : finishJob(job, { now, result: null, ttlMs: TTL_MS }),
  }));
  for (const update of updates) await store.jobUpdateMany({ updates: [update] });
  return claimed.length;
}

/** Every job still kept, by listing. */
async function allJobs(store: Store): Promise<Job[]> {
  const jobs: Job[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.jobList({ limit: 500, cursor });
    jobs.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor);
  return jobs;
}

/** Applies `ops` in order, 10 ms of the fake clock apart; answers that clock. */
async function applyAll(store: Store, ops: Op[]): Promise<FakeClock> {
  const clock = new FakeClock(T0);
  const ids: string[] = [];
  for (const op of ops) {
    clock.advance(10);
    await apply(store, clock, ids, op);
  }
  return clock;
}

/** Promotes, claims and finishes until nothing moves; answers the jobs left unended. */
async function drain(store: Store, clock: FakeClock): Promise<Job[]> {
  for (let round = 0; round < 50; round++) {
    clock.advance(1_000);
    const due = await store.jobListDue({ now: clock.now(), limit: 500 });
    await store.jobUpdateMany({
      updates: due.map((job) => ({ before: job, after: promoteJob(job) })),
    });
    const worked = await work(store, clock.now(), false);
    const left = (await allJobs(store)).filter((job) => !isTerminal(job.state));
    if (left.length === 0 || (worked === 0 && due.length === 0 && round > 3)) return left;
  }
  return (await allJobs(store)).filter((job) => !isTerminal(job.state));
}

const DAMAGING: fc.Arbitrary<Op> = fc.oneof(
  OPS,
  fc.record({ op: fc.constant("raw_delete" as const), pick }),
);

function property(name: string, open: () => Promise<{ store: Store; close(): Promise<void> }>) {
  Deno.test(`[${name}] after deletes behind dependants' backs, doctor --repair leaves every job able to end`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(DAMAGING, { minLength: 1, maxLength: 30 }), async (ops) => {
        const { store, close } = await open();
        try {
          const clock = await applyAll(store, ops);
          const doctor = (repair: boolean) =>
            runDoctor({ store, clock, logger: silentLogger, repair });
          // A repair can uncover more (a released job's own dependants): at most a few rounds.
          for (let round = 0; round < 5 && !(await doctor(true)).clean; round++);
          assertEquals((await doctor(false)).findings, []);
          const left = await drain(store, clock);
          assertEquals(left.map((j) => [j.id, j.state, j.pendingParents, j.groupAfter]), []);
        } finally {
          await close();
        }
      }),
      { numRuns: Number(Deno.env.get("TQ_PROPERTY_RUNS") ?? 25) },
    );
  });

  Deno.test(`[${name}] after any sequence of job changes, doctor finds nothing and every job can end`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(OPS, { minLength: 1, maxLength: 30 }), async (ops) => {
        const { store, close } = await open();
        try {
          const clock = await applyAll(store, ops);
          const report = await runDoctor({ store, clock, logger: silentLogger, repair: false });
          assertEquals(report.findings, []);
          const left = await drain(store, clock);
          assertEquals(left.map((j) => [j.id, j.state, j.pendingParents, j.groupAfter]), []);
        } finally {
          await close();
        }
      }),
      { numRuns: Number(Deno.env.get("TQ_PROPERTY_RUNS") ?? 25) },
    );
  });
}

property("kv", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tq-doctor-prop-" });
  const store = await openKvStore(`${dir}/tq.db`);
  return {
    store,
    close: async () => {
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});

const server = await RedisServer.start();
globalThis.addEventListener("unload", () => server.stopNow());
let runs = 0;
property("redis", async () => {
  const store = withLinks(await openRedisStore(server.url, { prefix: `prop${++runs}` }));
  return { store, close: () => Promise.resolve(store.close()) };
});
