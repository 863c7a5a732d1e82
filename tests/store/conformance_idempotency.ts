/**
 * Idempotent inserts (`src/guards/idempotency.ts`, over `recordCommit`) on every real
 * store: concurrent repeats of one key create exactly one job, a key stops holding after its
 * TTL or once its job is deleted, and distinct keys are independent. Registered from
 * `runStoreConformance`; the same behaviours run on the in-memory records in
 * `tests/guards/idempotency_test.ts`.
 *
 * @example
 * ```ts ignore
 * runIdempotencyConformance(test);
 * ```
 * @module
 */
import { assertEquals } from "../assert.ts";
import type { Job } from "../../src/job.ts";
import { newJobId } from "../../src/ids.ts";
import type { Store } from "../../src/store/store.ts";
import { insertIdempotent } from "../../src/guards/idempotency.ts";
import { createJob } from "../../src/transitions/mod.ts";

type Test = (name: string, fn: (store: Store) => Promise<void>) => void;

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const job = (now = T0) => createJob({ id: newJobId(now), task: "t", input: {} }, now);

/** Registers the idempotency tests with a backend's `test`. */
export function runIdempotencyConformance(test: Test): void {
  test("20 concurrent inserts with one idempotency key create exactly one job", async (store) => {
    const jobs = Array.from({ length: 20 }, () => job());
    const results = await Promise.all(
      jobs.map((j) => insertIdempotent(store, { job: j, key: "order-42", ttlMs: DAY })),
    );
    const created = results.filter((r) => r.created);
    assertEquals(created.length, 1);
    const winner = created[0].job;
    assertEquals(results.map((r) => r.job.id), jobs.map(() => winner.id));
    assertEquals((await store.queueCounts())[0].queued, 1);
    assertEquals(await store.jobGet(winner.id), winner);
  });

  test("an idempotency key stops holding after its TTL", async (store) => {
    const first = await insertIdempotent(store, { job: job(), key: "k", ttlMs: 1_000 });
    const within = await insertIdempotent(store, { job: job(T0 + 999), key: "k", ttlMs: 1_000 });
    assertEquals([within.created, within.job.id], [false, first.job.id]);
    const after = await insertIdempotent(store, { job: job(T0 + 1_000), key: "k", ttlMs: 1_000 });
    assertEquals(after.created, true);
    assertEquals((await store.queueCounts())[0].queued, 2);
  });

  test("an idempotency key whose job was deleted takes a new job", async (store) => {
    const first = await insertIdempotent(store, { job: job(), key: "k", ttlMs: DAY });
    assertEquals(await store.jobDelete({ job: first.job }), true);
    const again = await insertIdempotent(store, { job: job(T0 + 1), key: "k", ttlMs: DAY });
    assertEquals(again.created, true);
    assertEquals((await store.jobGet(again.job.id))?.id, again.job.id);
  });

  test("distinct idempotency keys insert distinct jobs", async (store) => {
    const a = await insertIdempotent(store, { job: job(), key: "a", ttlMs: DAY });
    const b = await insertIdempotent(store, { job: job(), key: "b", ttlMs: DAY });
    assertEquals([a.created, b.created], [true, true]);
    assertEquals((await store.queueCounts())[0].queued, 2);
  });
}

/**
 * Asserts that `key` still answers `first` after a migration: the job is written (the old
 * layout's key names it), then a repeat under the key gets it back and writes nothing.
 */
export async function assertKeyHolds(store: Store, key: string, first: Job): Promise<void> {
  await store.jobInsertMany({ jobs: [first] });
  const repeat = createJob(
    { id: newJobId(first.createdAt), task: "t", input: 2 },
    first.createdAt + 1,
  );
  const outcome = await insertIdempotent(store, { job: repeat, key, ttlMs: 60_000 });
  assertEquals([outcome.created, outcome.job.id], [false, first.id]);
}
