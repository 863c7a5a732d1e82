import { assertEquals } from "../assert.ts";
import { openKvStore } from "../../src/store/kv/kv_store.ts";
import { newJobId } from "../../src/ids.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob } from "../../src/transitions/mod.ts";

const T0 = Date.UTC(2026, 0, 1);
const claim = (store: Store, workerId: string, limit: number) =>
  store.jobClaim({ queues: ["default"], workerId, limit, leaseMs: 60_000, now: T0 });

/** Two stores on one KV file (as two worker processes have), `jobs` queued jobs in it. */
async function sharedFile(jobs: number) {
  const dir = await Deno.makeTempDir({ prefix: "tq-claim-race-" });
  const [a, b] = [await openKvStore(`${dir}/tq.db`), await openKvStore(`${dir}/tq.db`)];
  const queued = Array.from(
    { length: jobs },
    () => createJob({ id: newJobId(T0), task: "t", input: {} }, T0),
  );
  for (let i = 0; i < jobs; i += a.maxInsertBatch) {
    await a.jobInsertMany({ jobs: queued.slice(i, i + a.maxInsertBatch) });
  }
  return {
    a,
    b,
    async cleanup() {
      a.close();
      b.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("claimants of one KV file claiming at the same moment each get a full batch, and no job twice", async () => {
  const { a, b, cleanup } = await sharedFile(1_000);
  try {
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const [fromA, fromB] = await Promise.all([claim(a, "a", 50), claim(b, "b", 50)]);
      assertEquals([fromA.length, fromB.length], [50, 50], `claims of round ${i}`);
      for (const job of [...fromA, ...fromB]) seen.add(job.id);
    }
    assertEquals(seen.size, 1_000);
    assertEquals(await claim(a, "a", 50), []);
  } finally {
    await cleanup();
  }
});

Deno.test("a claim that loses part of its jobs to another claimant still takes those left ready", async () => {
  const { a, b, cleanup } = await sharedFile(60);
  try {
    for (let i = 0; i < 5; i++) {
      const [big, small] = await Promise.all([claim(a, "a", 50), claim(b, "b", 10)]);
      assertEquals([big.length, small.length], [50, 10]);
      assertEquals(new Set([...big, ...small].map((job) => job.id)).size, 60);
      // Back to queued, for the next round's race.
      const held = [...big, ...small];
      const stored = await a.jobGetMany(held.map((job) => job.id));
      await a.jobUpdateMany({
        updates: stored.map((before) => ({
          before: before!,
          after: { ...before!, state: "queued", version: before!.version + 1 },
        })),
      });
    }
  } finally {
    await cleanup();
  }
});
