import { assertEquals, assertRejects } from "./assert.ts";
import { PayloadTooLargeError, StoreUnavailableError } from "../src/errors.ts";
import { InsertBatcher } from "../src/insert_batcher.ts";
import type { Job } from "../src/job.ts";
import type { Store } from "../src/store/store.ts";
import { createJob } from "../src/transitions/mod.ts";

/** A store that records each `jobInsertMany` call; `refuse` decides which calls throw. */
function fakeStore(
  refuse: (jobs: Job[]) => Error | undefined = () => undefined,
  insertsInFlight?: number,
) {
  const calls: string[][] = [];
  const sizes: (readonly number[] | undefined)[] = [];
  let writing = 0;
  let mostWriting = 0;
  const store = {
    maxInsertBatch: 3,
    maxCommitBytes: 10_000,
    insertsInFlight,
    jobBytes: (job: Job) => JSON.stringify(job).length,
    async jobInsertMany({ jobs, bytes }: { jobs: Job[]; bytes?: readonly number[] }) {
      sizes.push(bytes);
      mostWriting = Math.max(mostWriting, ++writing);
      await new Promise((resolve) => setTimeout(resolve, 1));
      writing--;
      const error = refuse(jobs);
      if (error) throw error;
      calls.push(jobs.map((job) => job.id));
    },
  } as unknown as Store;
  return { store, calls, sizes, mostWriting: () => mostWriting };
}

const job = (id: string, input: unknown = {}) => createJob({ id, task: "t", input }, 0);

Deno.test("InsertBatcher writes concurrent inserts together, in arrival order, up to the store's batch size", async () => {
  const { store, calls } = fakeStore();
  const inserts = new InsertBatcher(store);
  await Promise.all(["a", "b", "c", "d", "e"].map((id) => inserts.insert(job(id))));
  assertEquals(calls, [["a", "b", "c"], ["d", "e"]]);
});

Deno.test("InsertBatcher shares a burst among the store's insertsInFlight, never more on their way", async () => {
  const { store, calls, mostWriting } = fakeStore(undefined, 2);
  const inserts = new InsertBatcher(store);
  await Promise.all(["a", "b", "c", "d", "e", "f", "g", "h"].map((id) => inserts.insert(job(id))));
  assertEquals(calls.flat(), ["a", "b", "c", "d", "e", "f", "g", "h"]);
  assertEquals(calls[0], ["a", "b", "c"]); // its share: half of 8, within the batch size
  assertEquals(mostWriting(), 2);
});

Deno.test("InsertBatcher hands the store the size of each job, measured once", async () => {
  const { store, sizes } = fakeStore();
  const inserts = new InsertBatcher(store);
  const unmeasured = job("b");
  await Promise.all([inserts.insert(job("a"), 123), inserts.insert(unmeasured)]);
  assertEquals(sizes, [[123, store.jobBytes(unmeasured)]]);
});

Deno.test("InsertBatcher writes an insert into an idle batcher at once, alone", async () => {
  const { store, calls } = fakeStore();
  const inserts = new InsertBatcher(store);
  await inserts.insert(job("a"));
  await inserts.insert(job("b"));
  assertEquals(calls, [["a"], ["b"]]);
});

Deno.test("InsertBatcher gathers inserts that arrive while a batch is being written", async () => {
  const { store, calls } = fakeStore();
  const inserts = new InsertBatcher(store);
  const first = inserts.insert(job("a"));
  await new Promise((resolve) => setTimeout(resolve, 0)); // "a" is being written
  await Promise.all([first, inserts.insert(job("b")), inserts.insert(job("c"))]);
  assertEquals(calls, [["a"], ["b", "c"]]);
});

Deno.test("InsertBatcher, right after a batch of several, lets an insert wait a task for the others", async () => {
  const { store, calls } = fakeStore();
  const inserts = new InsertBatcher(store);
  await Promise.all(["a", "b"].map((id) => inserts.insert(job(id))));
  const c = inserts.insert(job("c"));
  for (let i = 0; i < 10; i++) await Promise.resolve(); // microtasks: not yet a task
  await Promise.all([c, inserts.insert(job("d"))]);
  await inserts.insert(job("e"));
  await inserts.insert(job("f")); // after a batch of one: at once again
  assertEquals(calls, [["a", "b"], ["c", "d"], ["e"], ["f"]]);
});

Deno.test("InsertBatcher keeps a batch within the store's maxCommitBytes", async () => {
  const { store, calls } = fakeStore();
  const inserts = new InsertBatcher(store);
  const big = "x".repeat(store.maxCommitBytes / 2);
  await Promise.all(["a", "b", "c"].map((id) => inserts.insert(job(id, big))));
  assertEquals(calls, [["a"], ["b"], ["c"]]);
});

Deno.test("InsertBatcher sizes a batch by the bytes its callers measured, measuring no job again", async () => {
  const { store, calls } = fakeStore();
  store.jobBytes = () => {
    throw new Error("measured again");
  };
  const inserts = new InsertBatcher(store);
  const overHalf = store.maxCommitBytes / 2 + 1;
  await Promise.all(["a", "b", "c"].map((id) => inserts.insert(job(id), overHalf)));
  assertEquals(calls, [["a"], ["b"], ["c"]]);
});

Deno.test("InsertBatcher fails only the job a store refuses for size", async () => {
  const tooLarge = (jobs: Job[]) =>
    jobs.some((j) => j.id === "b") ? new PayloadTooLargeError(1, 0, "job b") : undefined;
  const { store, calls } = fakeStore(tooLarge);
  const inserts = new InsertBatcher(store);
  const results = await Promise.allSettled(["a", "b", "c"].map((id) => inserts.insert(job(id))));
  assertEquals(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  assertEquals(calls, [["a"], ["c"]]);
});

Deno.test("InsertBatcher rejects every insert of a batch the store cannot write", async () => {
  const down = () => new StoreUnavailableError("down");
  const { store } = fakeStore(down);
  const inserts = new InsertBatcher(store);
  const all = ["a", "b"].map((id) => inserts.insert(job(id)));
  for (const insert of all) await assertRejects(() => insert, StoreUnavailableError);
});

Deno.test("InsertBatcher writes a job with dependencies on its own", async () => {
  const { store, calls } = fakeStore();
  const inserts = new InsertBatcher(store);
  const child = { ...job("child"), dependsOn: ["a"] };
  await Promise.all([inserts.insert(job("a")), inserts.insert(child), inserts.insert(job("b"))]);
  assertEquals(calls.toSorted(), [["a", "b"], ["child"]]);
});
