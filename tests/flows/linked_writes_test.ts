/**
 * Linked writes (`src/flows/linked_writes.ts`) on the in-memory records: a child links to
 * its parents and a settling parent takes its dependants along, each in one record commit
 * checked against the versions read, read again after a lost race. And `withLinks` on a
 * real store: jobs that use no dependency cost the store calls they did.
 */
import { assertEquals, assertRejects } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { InvalidInputError } from "../../src/errors.ts";
import type { Job } from "../../src/job.ts";
import { insertLinked, settleWithDependants } from "../../src/flows/linked_writes.ts";
import { withLinks } from "../../src/flows/linked_store.ts";
import { openKvStore } from "../../src/store/kv/kv_store.ts";
import type { Store } from "../../src/store/store.ts";
import {
  cancelJob,
  claimJob,
  createJob,
  finishJob,
  type JobSpec,
} from "../../src/transitions/mod.ts";
import { MemoryRecords } from "../store/memory_records.ts";

const T0 = Date.UTC(2026, 0, 1);
let next = 0;
const job = (spec: Partial<JobSpec> = {}) =>
  createJob({ id: `j${String(next++).padStart(4, "0")}`, task: "t", input: 1, ...spec }, T0);
const running = (j: Job) => claimJob(j, { workerId: "w", now: T0 + 1, leaseMs: 60_000 });
const finished = (j: Job) => finishJob(j, { now: T0 + 2, result: 1, ttlMs: 60_000 });

Deno.test("a child inserted after its pending parent waits, and the parent lists it", async () => {
  const store = new MemoryRecords(new FakeClock());
  const parent = job();
  await store.recordCommit({ jobs: [parent] });
  const [child] = await insertLinked(store, [job({ dependsOn: [parent.id] })]);
  assertEquals(child.state, "deferred");
  assertEquals((await store.jobGet(parent.id))?.dependants, [child.id]);
  assertEquals(await store.jobGet(child.id), child);
});

Deno.test("a child of an unknown parent is refused by field, and nothing is written", async () => {
  const store = new MemoryRecords(new FakeClock());
  const orphan = job({ dependsOn: ["missing"] });
  const error = await assertRejects(() => insertLinked(store, [orphan]), InvalidInputError);
  assertEquals(error.issues[0].path, "depends_on[0]");
  assertEquals(await store.jobGet(orphan.id), null);
});

Deno.test("a parent that changed between read and commit is read again, losing no change", async () => {
  const memory = new MemoryRecords(new FakeClock());
  const parent = job();
  await memory.recordCommit({ jobs: [parent] });
  let raced = false;
  // Between the linker's read and its commit, a worker claims the parent.
  const store = {
    jobGetMany: async (ids: string[]) => {
      const read = await memory.jobGetMany(ids);
      if (!raced) {
        raced = true;
        await memory.recordCommit({ updates: [{ before: parent, after: running(parent) }] });
      }
      return read;
    },
    recordCommit: memory.recordCommit.bind(memory),
  };
  const [child] = await insertLinked(store, [job({ dependsOn: [parent.id] })]);
  const stored = await memory.jobGet(parent.id);
  assertEquals([stored?.state, stored?.dependants], ["started", [child.id]]);
});

Deno.test("a parent finishing queues its child in the same commit", async () => {
  const store = new MemoryRecords(new FakeClock());
  const parent = running(job());
  await store.recordCommit({ jobs: [parent] });
  const [child] = await insertLinked(store, [job({ dependsOn: [parent.id] })]);
  const before = (await store.jobGet(parent.id))!;
  assertEquals(await settleWithDependants(store, { before, after: finished(before) }), true);
  assertEquals((await store.jobGet(parent.id))?.state, "finished");
  assertEquals((await store.jobGet(child.id))?.state, "queued");
});

Deno.test("a parent canceled cancels its child and the child's own child", async () => {
  const store = new MemoryRecords(new FakeClock());
  const parent = job();
  await store.recordCommit({ jobs: [parent] });
  const [child] = await insertLinked(store, [job({ dependsOn: [parent.id] })]);
  const [grandchild] = await insertLinked(store, [job({ dependsOn: [child.id] })]);
  const before = (await store.jobGet(parent.id))!;
  const after = cancelJob(before, { now: T0 + 3, reason: "no", ttlMs: 60_000 });
  assertEquals(await settleWithDependants(store, { before, after }), true);
  const states = await store.jobGetMany([child.id, grandchild.id]);
  assertEquals(states.map((j) => j?.state), ["canceled", "canceled"]);
});

Deno.test("a settle of a job no longer at the version read writes nothing", async () => {
  const store = new MemoryRecords(new FakeClock());
  const parent = running(job());
  await store.recordCommit({ jobs: [parent] });
  const [child] = await insertLinked(store, [job({ dependsOn: [parent.id] })]);
  // `parent` is the record before it gained the child: stale.
  const stale = { ...parent, dependants: [child.id] };
  assertEquals(await settleWithDependants(store, { before: stale, after: finished(stale) }), false);
  assertEquals((await store.jobGet(child.id))?.state, "deferred");
  assertEquals((await store.jobGet(parent.id))?.state, "started");
});

/** A KV store in memory that counts the calls made to it, by method. */
async function countedStore(): Promise<{ store: Store; calls: Map<string, number> }> {
  const bare = await openKvStore(":memory:");
  const calls = new Map<string, number>();
  const store = new Proxy(bare, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { store, calls };
}

Deno.test("withLinks: a job without dependency is inserted and settled by one store call each", async () => {
  const { store: bare, calls } = await countedStore();
  const store = withLinks(bare);
  try {
    const plain = job();
    await store.jobInsertMany({ jobs: [plain] });
    const [claimed] = await store.jobClaim({
      queues: ["default"],
      workerId: "w",
      limit: 1,
      leaseMs: 60_000,
      now: T0 + 1,
    });
    await store.jobUpdateMany({ updates: [{ before: claimed, after: finished(claimed) }] });
    assertEquals(Object.fromEntries(calls), { jobInsertMany: 1, jobClaim: 1, jobUpdateMany: 1 });
  } finally {
    store.close();
  }
});

Deno.test("a bare store refuses a child and a settle with dependants: they go through withLinks", async () => {
  const store = await openKvStore(":memory:");
  try {
    const parent = job();
    await store.jobInsertMany({ jobs: [parent] });
    const child = job({ dependsOn: [parent.id] });
    await assertRejects(() => store.jobInsertMany({ jobs: [child] }), RangeError, "depends_on");
    await withLinks(store).jobInsertMany({ jobs: [child] });
    const before = (await store.jobGet(parent.id))!;
    const update = { before, after: cancelJob(before, { now: T0, reason: "x", ttlMs: 1 }) };
    await assertRejects(() => store.jobUpdateMany({ updates: [update] }), RangeError, "dependants");
    assertEquals((await withLinks(store).jobUpdateMany({ updates: [update] })).applied, [
      parent.id,
    ]);
    assertEquals((await store.jobGet(child.id))?.state, "canceled");
  } finally {
    store.close();
  }
});

Deno.test("withLinks: a method replaced on the wrapper is called in its place, and may call the one it replaced", async () => {
  const store = withLinks(await openKvStore(":memory:"));
  try {
    const plain = job();
    await store.jobInsertMany({ jobs: [plain] });
    let counted = 0;
    const update = store.jobUpdateMany.bind(store);
    store.jobUpdateMany = (params) => {
      counted++;
      return update(params);
    };
    const claimed = running(plain);
    await store.jobUpdateMany({ updates: [{ before: plain, after: claimed }] });
    assertEquals(counted, 1, "once, not looping through the store underneath");
    assertEquals((await store.jobGet(plain.id))?.state, "started");
  } finally {
    store.close();
  }
});
