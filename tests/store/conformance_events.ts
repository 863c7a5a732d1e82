/**
 * Conformance of what durable steps need of a store (`src/steps/`): events kept by name and
 * key for later waits (as keyed records, `kept_events.ts`), waiting jobs found by the event they wait for, and waits that time
 * out through the due index the promoter reads. Registered from `runStoreConformance`.
 *
 * @example
 * ```ts ignore
 * runEventConformance(test);
 * ```
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Job, JobStep } from "../../src/job.ts";
import { type EventRecord, keepEvent, keptEvents } from "../../src/steps/kept_events.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob, resumeJob, suspendJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const DAY_MS = 86_400_000;

function event(name: string, key: string, sentAt: number, data: unknown = null): EventRecord {
  return { id: newJobId(sentAt), name, key, data, sentAt };
}

/** A job of `queue` claimed and suspended at a wait for `name`/`key` until `until`. */
async function waitingJob(
  store: Store,
  { name, key, until, queue = "default" }: {
    name: string;
    key: string;
    until: number;
    queue?: string;
  },
): Promise<Job> {
  const fresh = createJob({ id: newJobId(T0), task: "t", input: {}, queue }, T0);
  await store.jobInsertMany({ jobs: [fresh] });
  const [running] = await store.jobClaim({
    queues: [queue],
    workerId: "w",
    limit: 1,
    leaseMs: 30_000,
    now: T0,
  });
  const step: JobStep = {
    name: "approval",
    kind: "event",
    state: "waiting",
    attempt: 1,
    startedAt: T0,
    until,
    event: name,
    key,
  };
  const after = suspendJob(running, { now: T0, step, ttlMs: DAY_MS });
  assertEquals((await store.jobUpdateMany({ updates: [{ before: running, after }] })).applied, [
    after.id,
  ]);
  return after;
}

const ids = (jobs: Job[]) => jobs.map((job) => job.id).sort();

/** Registers the event tests with a backend's `test`. */
export function runEventConformance(test: Test): void {
  test("events are listed by name and key, oldest first, from a time on", async (store) => {
    const first = event("order.approved", "o1", T0 + 1, { by: "ana" });
    const second = event("order.approved", "o1", T0 + 2);
    await keepEvent(store, { event: second, ttlMs: DAY_MS });
    await keepEvent(store, { event: first, ttlMs: DAY_MS });
    await keepEvent(store, { event: event("order.approved", "o2", T0 + 1), ttlMs: DAY_MS });
    await keepEvent(store, { event: event("order.shipped", "o1", T0 + 1), ttlMs: DAY_MS });
    await keepEvent(store, { event: event("order.approved", "", T0 + 1), ttlMs: DAY_MS });
    const list = (since: number) =>
      keptEvents(store, { name: "order.approved", key: "o1", since, limit: 10 });
    assertEquals(await list(T0), [first, second]);
    assertEquals(await list(T0 + 2), [second]);
    assertEquals(await list(T0 + 3), []);
    assertEquals(
      (await keptEvents(store, { name: "order.approved", key: "", since: T0, limit: 10 })).length,
      1,
    );
  });

  test("waiting jobs are found by the event and key they wait for", async (store) => {
    const a = await waitingJob(store, { name: "order.approved", key: "o1", until: T0 + 60_000 });
    const b = await waitingJob(store, {
      name: "order.approved",
      key: "o1",
      until: T0 + 60_000,
      queue: "other",
    });
    const c = await waitingJob(store, { name: "order.approved", key: "o10", until: T0 + 60_000 });
    const d = await waitingJob(store, {
      name: "order.approved.late",
      key: "o1",
      until: T0 + 60_000,
    });
    const find = (event: string, key: string) =>
      store.jobListWaiting({ event, key, limit: 10 }).then(ids);
    assertEquals(await find("order.approved", "o1"), ids([a, b]));
    assertEquals(await find("order.approved", "o10"), [c.id]);
    assertEquals(await find("order.approved", ""), []);
    const counts = await store.queueCounts();
    assertEquals(counts.find((q) => q.name === "default")?.waiting, 3);
    const listed = await store.jobList({ state: "waiting", limit: 10 });
    assertEquals(ids(listed.jobs), ids([a, b, c, d]));
  });

  test("a resumed job leaves the waiting index and is ready with its event's data", async (store) => {
    const waiting = await waitingJob(store, { name: "paid", key: "o1", until: T0 + 60_000 });
    const woken = resumeJob(waiting, { now: T0 + 5, event: { id: "e1", data: { ok: true } } });
    await store.jobUpdateMany({ updates: [{ before: waiting, after: woken }] });
    assertEquals(await store.jobListWaiting({ event: "paid", key: "o1", limit: 10 }), []);
    assertEquals(await store.jobListDue({ now: T0 + DAY_MS, limit: 10 }), []);
    const [claimed] = await store.jobClaim({
      queues: ["default"],
      workerId: "w2",
      limit: 1,
      leaseMs: 30_000,
      now: T0 + 6,
    });
    assertEquals(claimed.id, waiting.id);
    assertEquals(claimed.steps?.[0].result, { ok: true });
    assertEquals(await store.indexAudit({ limit: 10 }), []);
  });

  test("a wait is due at its timeout, with scheduled jobs, earliest first", async (store) => {
    const later = createJob({ id: newJobId(T0), task: "t", input: {}, runAt: T0 + 9_000 }, T0);
    await store.jobInsertMany({ jobs: [later] });
    const waiting = await waitingJob(store, { name: "paid", key: "o1", until: T0 + 5_000 });
    assertEquals(await store.jobNextRunAt(), T0 + 5_000);
    assertEquals(await store.jobListDue({ now: T0 + 4_999, limit: 10 }), []);
    assertEquals(ids(await store.jobListDue({ now: T0 + 5_000, limit: 10 })), [waiting.id]);
    const due = await store.jobListDue({ now: T0 + 9_000, limit: 10 });
    assertEquals(due.map((job) => job.id), [waiting.id, later.id]);
    assert(due[0].state === "waiting");
    assertEquals(await store.indexAudit({ limit: 10 }), []);
  });
}
