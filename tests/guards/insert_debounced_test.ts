import { FakeClock } from "../../src/clock.ts";
import { StoreUnavailableError } from "../../src/errors.ts";
import { DEBOUNCE_SPACE, insertDebounced } from "../../src/guards/debounce.ts";
import { newJobId } from "../../src/ids.ts";
import { claimJob, createJob, promoteJob } from "../../src/transitions/mod.ts";
import { assertEquals, assertRejects } from "../assert.ts";
import { MemoryRecords } from "../store/memory_records.ts";

const T0 = Date.UTC(2026, 0, 1);
const debounce = { key: "user:1", waitMs: 1_000 };
const request = (input: number, at: number) =>
  createJob({ id: newJobId(at), task: "t", input }, at);

Deno.test("insertDebounced: a request while the job waits joins it, with its input and a later start", async () => {
  const store = new MemoryRecords(new FakeClock());
  const first = await insertDebounced(store, { job: request(1, T0), debounce });
  const second = await insertDebounced(store, { job: request(2, T0 + 500), debounce });
  assertEquals([first.created, second.created, second.job.id], [true, false, first.job.id]);
  assertEquals((await store.jobGet(first.job.id))?.input, 2);
  assertEquals((await store.jobGet(first.job.id))?.runAt, T0 + 1_500);
  assertEquals((await store.recordGet({ space: DEBOUNCE_SPACE, key: "t:user:1" }))?.value, {
    jobId: first.job.id,
    firstAt: T0,
  });
});

Deno.test("insertDebounced: a job that started is not joined: the request makes a new one", async () => {
  const store = new MemoryRecords(new FakeClock());
  const first = await insertDebounced(store, { job: request(1, T0), debounce });
  const started = claimJob(promoteJob(first.job), {
    workerId: "w",
    now: T0 + 1_000,
    leaseMs: 1_000,
  });
  await store.recordCommit({ updates: [{ before: first.job, after: started }] });
  const next = await insertDebounced(store, { job: request(2, T0 + 1_100), debounce });
  assertEquals(next.created, true);
  assertEquals((await store.jobGet(first.job.id))?.input, 1);
});

Deno.test("insertDebounced: of 10 concurrent requests one makes the job and the others join it", async () => {
  const store = new MemoryRecords(new FakeClock());
  const outcomes = await Promise.all(
    Array.from({ length: 10 }, (_, i) => insertDebounced(store, { job: request(i, T0), debounce })),
  );
  assertEquals(outcomes.filter((o) => o.created).length, 1);
  assertEquals(new Set(outcomes.map((o) => o.job.id)).size, 1);
});

Deno.test("insertDebounced: a key that keeps changing under it is StoreUnavailableError", async () => {
  const store = new MemoryRecords(new FakeClock());
  const contended = {
    recordGet: store.recordGet.bind(store),
    jobGet: store.jobGet.bind(store),
    recordCommit: () => Promise.resolve(false),
  };
  await assertRejects(
    () => insertDebounced(contended, { job: request(1, T0), debounce }),
    StoreUnavailableError,
    "kept changing",
  );
});
