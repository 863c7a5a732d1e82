import { FakeClock } from "../../src/clock.ts";
import { StoreUnavailableError } from "../../src/errors.ts";
import { IDEMPOTENCY_SPACE, insertIdempotent } from "../../src/guards/idempotency.ts";
import { newJobId } from "../../src/ids.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { assertEquals, assertRejects } from "../assert.ts";
import { MemoryRecords } from "../store/memory_records.ts";

const TTL = 60_000;

function setUp() {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const job = () => createJob({ id: newJobId(clock.now()), task: "t", input: {} }, clock.now());
  return { clock, store, job };
}

Deno.test("insertIdempotent: a repeat within the TTL answers the first job and writes nothing", async () => {
  const { clock, store, job } = setUp();
  const first = await insertIdempotent(store, { job: job(), key: "order-42", ttlMs: TTL });
  clock.advance(TTL - 1);
  const repeat = job();
  const again = await insertIdempotent(store, { job: repeat, key: "order-42", ttlMs: TTL });
  assertEquals([first.created, again.created, again.job], [true, false, first.job]);
  assertEquals(await store.jobGet(repeat.id), null);
  assertEquals((await store.recordGet({ space: IDEMPOTENCY_SPACE, key: "order-42" }))?.value, {
    jobId: first.job.id,
    expiresAt: first.job.createdAt + TTL,
  });
});

Deno.test("insertIdempotent: once the TTL is over, the key takes a new job", async () => {
  const { clock, store, job } = setUp();
  const first = await insertIdempotent(store, { job: job(), key: "k", ttlMs: TTL });
  clock.advance(TTL);
  const later = await insertIdempotent(store, { job: job(), key: "k", ttlMs: TTL });
  assertEquals(later.created, true);
  assertEquals(later.job.id === first.job.id, false);
});

Deno.test("insertIdempotent: a key whose job was deleted takes a new job", async () => {
  const { store, job } = setUp();
  const first = await insertIdempotent(store, { job: job(), key: "k", ttlMs: TTL });
  store.jobForget(first.job.id);
  const again = await insertIdempotent(store, { job: job(), key: "k", ttlMs: TTL });
  assertEquals(again.created, true);
  assertEquals((await store.jobGet(again.job.id))?.id, again.job.id);
});

Deno.test("insertIdempotent: of 20 concurrent repeats one creates the job, the others read it", async () => {
  const { store, job } = setUp();
  const jobs = Array.from({ length: 20 }, job);
  const outcomes = await Promise.all(
    jobs.map((j) => insertIdempotent(store, { job: j, key: "k", ttlMs: TTL })),
  );
  assertEquals(outcomes.filter((o) => o.created).length, 1);
  const winner = outcomes.find((o) => o.created)!.job;
  assertEquals(new Set(outcomes.map((o) => o.job.id)), new Set([winner.id]));
  const stored = await Promise.all(jobs.map((j) => store.jobGet(j.id)));
  assertEquals(stored.filter(Boolean).length, 1);
});

Deno.test("insertIdempotent: a key that keeps changing under it is StoreUnavailableError", async () => {
  const { store, job } = setUp();
  const contended = {
    recordGet: store.recordGet.bind(store),
    jobGet: store.jobGet.bind(store),
    recordCommit: () => Promise.resolve(false),
  };
  await assertRejects(
    () => insertIdempotent(contended, { job: job(), key: "k", ttlMs: TTL }),
    StoreUnavailableError,
    "kept changing",
  );
});
