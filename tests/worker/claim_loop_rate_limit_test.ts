/**
 * A claim loop with rate limits claims through `src/guards/rate_limit_tokens.ts` and, while
 * a full window holds its jobs back, waits only until the window frees a start (not the
 * idle wait's 30 s), on the store's fake clock.
 */
import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { silentLogger } from "../../src/log.ts";
import { openKvStore } from "../../src/store/kv/kv_store.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { ClaimLoop } from "../../src/worker/claim_loop.ts";

Deno.test("a claim loop held back by a full window claims again when it frees a start", async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const store = await openKvStore(":memory:", { clock });
  const jobs = ["a", "b"].map((id) => createJob({ id, task: "send", input: null }, clock.now()));
  await store.jobInsertMany({ jobs });
  const started: string[] = [];
  const loop = new ClaimLoop({
    store,
    queues: ["default"],
    workerId: "w",
    concurrency: 2,
    leaseMs: 30_000,
    rateLimits: { tasks: { send: { max: 1, per: 300 } }, queues: {} },
    clock,
    logger: silentLogger,
    run: (job) => (started.push(`${job.id}@${clock.now()}`), Promise.resolve()),
  });
  try {
    loop.start();
    await clock.untilSleeping(1); // a claimed, b held back: the loop waits
    assertEquals(started, [`a@${Date.UTC(2026, 0, 1)}`]);
    clock.advance(299);
    await clock.untilSleeping(1);
    assertEquals(started.length, 1, "the window is still full");
    clock.advance(1);
    await clock.untilSleeping(1);
    assertEquals(started, [`a@${Date.UTC(2026, 0, 1)}`, `b@${Date.UTC(2026, 0, 1) + 300}`]);
  } finally {
    await loop.stop();
    store.close();
  }
});
