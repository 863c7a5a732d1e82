/**
 * Conformance of the record commit (`Store.recordCommit`, `src/store/records.ts`): "write
 * these if these versions still hold", the primitive idempotent enqueues are written over.
 * `runRecordCommitConformance` runs on every real store and on the in-memory records
 * (`memory_records_test.ts`); `runRecordCommitJobConformance`, on the real stores only,
 * checks that the jobs of a commit are indexed, counted and wake workers as inserted ones.
 *
 * @example
 * ```ts ignore
 * runRecordCommitConformance(test);
 * ```
 * @module
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { newJobId } from "../../src/ids.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob, debounceJob, type JobSpec, promoteJob } from "../../src/transitions/mod.ts";
import type { RecordStore } from "./memory_records.ts";

const T0 = Date.UTC(2026, 0, 1);
const job = (spec: Partial<JobSpec> = {}) =>
  createJob({ id: newJobId(T0), task: "t", input: {}, ...spec }, T0);

/** Registers the record commit tests with a backend's `test`. */
export function runRecordCommitConformance(
  test: (name: string, fn: (store: RecordStore) => Promise<void>) => void,
): void {
  test("a commit whose checks hold puts, deletes and inserts its jobs together", async (store) => {
    await store.recordPut({ space: "idempotency", key: "held", value: 1 });
    await store.recordPut({ space: "idempotency", key: "gone", value: 2 });
    const held = await store.recordGet({ space: "idempotency", key: "held" });
    const written = await store.recordCommit({
      checks: [
        { space: "idempotency", key: "held", version: held!.version },
        { space: "idempotency", key: "new", version: null },
      ],
      puts: [
        { space: "idempotency", key: "held", value: { n: 3 } },
        { space: "idempotency", key: "new", value: "x", ttlMs: 3_600_000 },
      ],
      deletes: [{ space: "idempotency", key: "gone" }],
      jobs: [job(), job()],
    });
    assertEquals(written, true);
    assertEquals(await store.recordList({ space: "idempotency", limit: 10 }), [
      { key: "held", value: { n: 3 } },
      { key: "new", value: "x" },
    ]);
    const after = await store.recordGet({ space: "idempotency", key: "held" });
    assert(after!.version !== held!.version, "a put gives the record a new version");
  });

  test("a commit whose check no longer holds writes nothing", async (store) => {
    await store.recordPut({ space: "schedule", key: "a", value: 1 });
    const read = await store.recordGet({ space: "schedule", key: "a" });
    await store.recordPut({ space: "schedule", key: "a", value: 2 });
    const stale = job();
    const commit = (version: string | null) =>
      store.recordCommit({
        checks: [{ space: "schedule", key: "a", version }],
        puts: [{ space: "schedule", key: "b", value: 1 }],
        deletes: [{ space: "schedule", key: "a" }],
        jobs: [stale],
      });
    assertEquals(await commit(read!.version), false);
    assertEquals(await commit(null), false, "the record is there: not absent");
    assertEquals(await store.recordGet({ space: "schedule", key: "b" }), null);
    assertEquals((await store.recordGet({ space: "schedule", key: "a" }))?.value, 2);
    assertEquals(await store.jobGet(stale.id), null);
  });

  test("of 10 concurrent commits of one absent record, exactly one writes", async (store) => {
    const jobs = Array.from({ length: 10 }, () => job());
    const results = await Promise.all(jobs.map((j) =>
      store.recordCommit({
        checks: [{ space: "idempotency", key: "k", version: null }],
        puts: [{ space: "idempotency", key: "k", value: j.id }],
        jobs: [j],
      })
    ));
    assertEquals(results.filter(Boolean).length, 1);
    const winner = jobs[results.indexOf(true)];
    assertEquals((await store.recordGet({ space: "idempotency", key: "k" }))?.value, winner.id);
    const stored = await Promise.all(jobs.map((j) => store.jobGet(j.id)));
    assertEquals(stored.filter(Boolean).map((j) => j!.id), [winner.id]);
  });

  test("a commit updates a job only while it is at the version read", async (store) => {
    const waiting = job({ runAt: T0 + 60_000 });
    assertEquals(await store.recordCommit({ jobs: [waiting] }), true);
    const moved = debounceJob(waiting, { now: T0 + 1, input: { n: 2 }, runAt: T0 + 90_000 });
    const update = { before: waiting, after: moved };
    const put = { space: "debounce", key: "t:k", value: 1 };
    assertEquals(await store.recordCommit({ puts: [put], updates: [update] }), true);
    assertEquals(await store.jobGet(waiting.id), moved);
    const stale = { ...put, key: "t:stale" };
    assertEquals(await store.recordCommit({ puts: [stale], updates: [update] }), false);
    assertEquals(await store.jobGet(waiting.id), moved);
    assertEquals(await store.recordGet(stale), null);
  });

  test("a commit writes jobs chained under a group as given, with the key's lanes", async (store) => {
    const tail = job({ group: "g" });
    const next = { ...job({ group: "g" }), state: "deferred" as const, groupAfter: tail.id };
    const lane = { space: "lane", key: "group:g", value: next.id };
    assertEquals(await store.recordCommit({ puts: [lane], jobs: [tail, next] }), true);
    assertEquals(await store.jobGet(next.id), next);
    assertEquals((await store.recordGet(lane))?.value, next.id);
  });

  test("a commit writes a child and its parent together, as linked above it", async (store) => {
    const parent = job();
    await store.recordCommit({ jobs: [parent] });
    const child = job({ dependsOn: [parent.id] });
    const adopted = { ...parent, dependants: [child.id], version: parent.version + 1 };
    const update = { before: parent, after: adopted };
    assertEquals(await store.recordCommit({ jobs: [child], updates: [update] }), true);
    assertEquals(await store.jobGet(child.id), child);
    assertEquals(await store.jobGet(parent.id), adopted);
    const late = job({ dependsOn: [parent.id] });
    assertEquals(await store.recordCommit({ jobs: [late], updates: [update] }), false);
    assertEquals(await store.jobGet(late.id), null, "the parent moved: no orphan child");
  });
}

const claimMail = (store: Store) =>
  store.jobClaim({ queues: ["mail"], workerId: "w", limit: 5, leaseMs: 1_000, now: T0 });

/** Registers the tests of a commit's jobs, which need a whole store. */
export function runRecordCommitJobConformance(
  test: (name: string, fn: (store: Store) => Promise<void>) => void,
): void {
  test("jobs of a commit are counted, claimable and due, as inserted ones", async (store) => {
    const started = performance.now();
    const waiting = store.workWait({ queues: ["mail"], timeoutMs: 10_000 });
    const ready = job({ queue: "mail" });
    const later = job({ queue: "report", runAt: T0 + 60_000 });
    assertEquals(await store.recordCommit({ jobs: [ready, later] }), true);
    await waiting;
    assert(performance.now() - started < 5_000, "the ready job woke the waiting worker");
    const counts = await store.queueCounts();
    assertEquals(
      counts.map(({ name, queued, scheduled }) => ({ name, queued, scheduled }))
        .sort((a, b) => a.name < b.name ? -1 : 1),
      [{ name: "mail", queued: 1, scheduled: 0 }, { name: "report", queued: 0, scheduled: 1 }],
    );
    const claimed = await claimMail(store);
    assertEquals(claimed.map((j) => j.id), [ready.id]);
    assertEquals((await store.jobListDue({ now: T0 + 60_000, limit: 5 })).map((j) => j.id), [
      later.id,
    ]);
  });

  test("a job a commit updates moves its counts and indexes, as jobUpdateMany does", async (store) => {
    const later = job({ queue: "mail", runAt: T0 + 60_000 });
    await store.recordCommit({ jobs: [later] });
    const waiting = store.workWait({ queues: ["mail"], timeoutMs: 10_000 });
    const started = performance.now();
    const promoted = promoteJob(later);
    assertEquals(await store.recordCommit({ updates: [{ before: later, after: promoted }] }), true);
    await waiting;
    assert(performance.now() - started < 5_000, "the job made ready woke the waiting worker");
    const [mail] = await store.queueCounts();
    assertEquals([mail.queued, mail.scheduled], [1, 0]);
    assertEquals(await store.jobListDue({ now: T0 + 60_000, limit: 5 }), []);
    const claimed = await claimMail(store);
    assertEquals(claimed.map((j) => j.id), [later.id]);
  });

  test("a commit takes no job over the store's maxJobBytes", async (store) => {
    const big = job({ input: { text: "x".repeat(store.maxJobBytes) } });
    await assertRejects(() => store.recordCommit({ jobs: [big] }), Error, "bytes");
    assertEquals(await store.jobGet(big.id), null);
  });
}
