/**
 * Schedules (`src/scheduler/schedule_records.ts`, over `recordCommit`) on every real store:
 * a tick runs once however many callers race for it, pauses hold back ticks but not manual
 * runs, and records read back. Registered from `runStoreConformance`; the same behaviours
 * run on the in-memory records in `tests/scheduler/schedule_records_test.ts`.
 *
 * @example
 * ```ts ignore
 * runScheduleConformance(test);
 * ```
 * @module
 */
import {
  scheduleGetMany,
  schedulePause,
  scheduleRun,
} from "../../src/scheduler/schedule_records.ts";
import { assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Store } from "../../src/store/store.ts";
import type { ScheduleRecord } from "../../src/scheduler/schedule_records.ts";
import { createJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const job = (now = T0) => createJob({ id: newJobId(now), task: "t", input: {} }, now);

/** Registers the schedule tests with a backend's `test`. */
export function runScheduleConformance(test: Test): void {
  test("concurrent runs of one tick enqueue exactly one job", async (store) => {
    const jobs = Array.from({ length: 8 }, () => job());
    const outcomes = await Promise.all(
      jobs.map((j) => scheduleRun(store, { name: "nightly", job: j, tickAt: T0 })),
    );
    assertEquals(outcomes.filter((o) => o === "enqueued").length, 1);
    assertEquals(outcomes.filter((o) => o === "duplicate").length, 7);
    const winner = jobs[outcomes.indexOf("enqueued")];
    const [record] = await scheduleGetMany(store, { names: ["nightly"] });
    assertEquals(record, {
      name: "nightly",
      paused: false,
      lastTickAt: T0,
      lastRunAt: T0,
      lastJobId: winner.id,
    });
    assertEquals((await store.queueCounts())[0].queued, 1);
    assertEquals((await store.jobGet(winner.id))?.id, winner.id);
  });

  test("a tick older than the last recorded one is a duplicate", async (store) => {
    assertEquals(
      await scheduleRun(store, { name: "s", job: job(), tickAt: T0 + 60_000 }),
      "enqueued",
    );
    assertEquals(await scheduleRun(store, { name: "s", job: job(), tickAt: T0 }), "duplicate");
    assertEquals(
      await scheduleRun(store, { name: "s", job: job(), tickAt: T0 + 120_000 }),
      "enqueued",
    );
    assertEquals((await store.queueCounts())[0].queued, 2);
  });

  test("a paused schedule skips ticks but runs manual triggers", async (store) => {
    await schedulePause(store, { name: "s", paused: true });
    assertEquals(await scheduleRun(store, { name: "s", job: job(), tickAt: T0 }), "paused");
    const manual = job(T0 + 5);
    assertEquals(await scheduleRun(store, { name: "s", job: manual }), "enqueued");
    const [paused] = await scheduleGetMany(store, { names: ["s"] });
    assertEquals(paused, { name: "s", paused: true, lastRunAt: T0 + 5, lastJobId: manual.id });
    await schedulePause(store, { name: "s", paused: false });
    assertEquals(await scheduleRun(store, { name: "s", job: job(), tickAt: T0 }), "enqueued");
  });

  test("ticks of a task with a concurrency key are chained in its lane", async (store) => {
    const keyed = (now: number) =>
      createJob(
        { id: newJobId(now), task: "t", input: {}, concurrency: { key: "k", limit: 1 } },
        now,
      );
    const [first, second] = [keyed(T0), keyed(T0 + 60_000)];
    assertEquals(await scheduleRun(store, { name: "s", job: first, tickAt: T0 }), "enqueued");
    assertEquals(await scheduleRun(store, { name: "s", job: first, tickAt: T0 }), "duplicate");
    assertEquals(
      await scheduleRun(store, { name: "s", job: second, tickAt: T0 + 60_000 }),
      "enqueued",
    );
    assertEquals((await store.jobGet(first.id))?.state, "queued");
    assertEquals((await store.jobGet(second.id))?.groupAfter, first.id, "waits behind the first");
  });

  test("schedules never run read as unpaused, in the order asked", async (store) => {
    await schedulePause(store, { name: "b", paused: true });
    const names = Array.from({ length: 12 }, (_, i) => i === 11 ? "b" : `s${i}`);
    const records = await scheduleGetMany(store, { names });
    assertEquals(records.map((r) => r.name), names);
    assertEquals(records.map((r) => r.paused), names.map((n) => n === "b"));
  });
}

/** Two schedules as an older layout kept them: one that ran, one paused and never run. */
export const OLD_SCHEDULES: ScheduleRecord[] = [
  { name: "nightly", paused: false, lastTickAt: 60_000, lastRunAt: 61_000, lastJobId: "j1" },
  { name: "hourly", paused: true },
];

/** Asserts that a migrated store reads {@linkcode OLD_SCHEDULES} back as they were. */
export async function assertSchedulesKept(store: Store): Promise<void> {
  const names = OLD_SCHEDULES.map((s) => s.name);
  assertEquals(await scheduleGetMany(store, { names }), OLD_SCHEDULES);
}
