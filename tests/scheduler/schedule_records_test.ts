import { FakeClock } from "../../src/clock.ts";
import { StoreUnavailableError } from "../../src/errors.ts";
import { newJobId } from "../../src/ids.ts";
import {
  scheduleGetMany,
  schedulePause,
  scheduleRun,
} from "../../src/scheduler/schedule_records.ts";
import type { RecordCommitParams } from "../../src/store/records.ts";
import type { Job } from "../../src/job.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { assertEquals, assertRejects } from "../assert.ts";
import { MemoryRecords } from "../store/memory_records.ts";

const T0 = Date.UTC(2026, 0, 1, 9);

function setUp() {
  const store = new MemoryRecords(new FakeClock());
  const job = (now = T0) => createJob({ id: newJobId(now), task: "t", input: {} }, now);
  return { store, job };
}

Deno.test("scheduleRun: of 8 concurrent runs of one tick one enqueues, the others are duplicates", async () => {
  const { store, job } = setUp();
  const jobs = Array.from({ length: 8 }, () => job());
  const outcomes = await Promise.all(
    jobs.map((j) => scheduleRun(store, { name: "nightly", job: j, tickAt: T0 })),
  );
  assertEquals(outcomes.filter((o) => o === "enqueued").length, 1);
  const winner = jobs[outcomes.indexOf("enqueued")];
  assertEquals(await scheduleGetMany(store, { names: ["nightly"] }), [
    { name: "nightly", paused: false, lastTickAt: T0, lastRunAt: T0, lastJobId: winner.id },
  ]);
  const stored = await Promise.all(jobs.map((j) => store.jobGet(j.id)));
  assertEquals(stored.filter(Boolean).length, 1);
});

Deno.test("scheduleRun: a tick at or before the last recorded one writes nothing", async () => {
  const { store, job } = setUp();
  assertEquals(
    await scheduleRun(store, { name: "s", job: job(), tickAt: T0 + 60_000 }),
    "enqueued",
  );
  const late = job();
  assertEquals(await scheduleRun(store, { name: "s", job: late, tickAt: T0 }), "duplicate");
  assertEquals(await store.jobGet(late.id), null);
});

Deno.test("scheduleRun: a paused schedule skips ticks, runs manual triggers, and ticks again once resumed", async () => {
  const { store, job } = setUp();
  await schedulePause(store, { name: "s", paused: true });
  assertEquals(await scheduleRun(store, { name: "s", job: job(), tickAt: T0 }), "paused");
  const manual = job(T0 + 5);
  assertEquals(await scheduleRun(store, { name: "s", job: manual }), "enqueued");
  assertEquals(await scheduleGetMany(store, { names: ["s"] }), [
    { name: "s", paused: true, lastRunAt: T0 + 5, lastJobId: manual.id },
  ]);
  await schedulePause(store, { name: "s", paused: false });
  assertEquals(await scheduleRun(store, { name: "s", job: job(), tickAt: T0 }), "enqueued");
});

Deno.test("scheduleRun: a pause that lands between its read and its write holds the tick back", async () => {
  const { store, job } = setUp();
  let paused = false;
  const racing = {
    recordGet: store.recordGet.bind(store),
    jobInsertMany: store.jobInsertMany.bind(store),
    async recordCommit(params: RecordCommitParams) {
      if (!paused) {
        paused = true;
        await schedulePause(store, { name: "s", paused: true });
      }
      return store.recordCommit(params);
    },
  };
  const tick = job();
  assertEquals(await scheduleRun(racing, { name: "s", job: tick, tickAt: T0 }), "paused");
  assertEquals(await store.jobGet(tick.id), null);
});

Deno.test("scheduleRun: a schedule that keeps changing under it is StoreUnavailableError", async () => {
  const { store, job } = setUp();
  const contended = {
    recordGet: store.recordGet.bind(store),
    jobInsertMany: store.jobInsertMany.bind(store),
    recordCommit: () => Promise.resolve(false),
  };
  await assertRejects(
    () => scheduleRun(contended, { name: "s", job: job(), tickAt: T0 }),
    StoreUnavailableError,
    "kept changing",
  );
});

Deno.test("scheduleGetMany: schedules never run read as unpaused, in the order asked", async () => {
  const { store } = setUp();
  await schedulePause(store, { name: "b", paused: true });
  assertEquals(await scheduleGetMany(store, { names: ["c", "b", "a"] }), [
    { name: "c", paused: false },
    { name: "b", paused: true },
    { name: "a", paused: false },
  ]);
});

Deno.test("scheduleRun: a job chained under a concurrency key is inserted after its run is recorded", async () => {
  const { store } = setUp();
  const inserted: string[] = [];
  const watched = {
    recordGet: store.recordGet.bind(store),
    recordCommit: (params: RecordCommitParams) => {
      assertEquals(params.jobs, [], "the commit carries no chained job");
      return store.recordCommit(params);
    },
    jobInsertMany: async ({ jobs }: { jobs: Job[] }) => {
      assertEquals((await scheduleGetMany(store, { names: ["s"] }))[0].lastTickAt, T0);
      inserted.push(...jobs.map((j) => j.id));
      await store.jobInsertMany({ jobs });
    },
  };
  const keyed = createJob({
    id: newJobId(T0),
    task: "t",
    input: {},
    concurrency: { key: "k", limit: 1 },
  }, T0);
  assertEquals(await scheduleRun(watched, { name: "s", job: keyed, tickAt: T0 }), "enqueued");
  assertEquals(inserted, [keyed.id]);
});
