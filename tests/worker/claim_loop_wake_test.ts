/**
 * A process's claimants share the store's wake-ups (on KV, one bell file watched once per
 * process). A ring another claimant of the process takes while the claim loop is claiming
 * must still end the loop's next wait.
 */
import { assertEquals } from "../assert.ts";
import { silentLogger } from "../../src/log.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { ClaimLoop } from "../../src/worker/claim_loop.ts";
import { heardWithin, sharedKvFile } from "../fixtures/shared_kv_file.ts";
import { override } from "../http/setup.ts";

Deno.test("a claim loop hears a job announced while it claimed, though another claimant of its process took the ring", async () => {
  await using kv = await sharedKvFile();
  const { clock, store, elsewhere } = kv;
  // The loop's second claim holds after its read until the ring was taken.
  const secondClaimRead = Promise.withResolvers<void>();
  const ringTaken = Promise.withResolvers<void>();
  let claims = 0;
  const loopStore = override(store, {
    jobClaim: async (params) => {
      const jobs = await store.jobClaim(params);
      if (++claims === 2) {
        secondClaimRead.resolve();
        await ringTaken.promise;
      }
      return jobs;
    },
  });
  const ran = Promise.withResolvers<string>();
  const loop = new ClaimLoop({
    store: loopStore,
    queues: ["mail"],
    workerId: "w",
    concurrency: 1,
    leaseMs: 30_000,
    clock,
    logger: silentLogger,
    run: (job) => (ran.resolve(job.id), Promise.resolve()),
  });
  try {
    loop.start();
    await clock.untilSleeping(1); // its first claim found nothing: it waits
    await elsewhere.workNotify({ queues: ["mail"] }); // wakes it for a second claim
    await heardWithin(secondClaimRead.promise, "the notify");
    // Another claimant of the process (a protocol claim of another queue, say) waits, and
    // takes the next change in the bell file.
    const idle = store.workWait({ queues: ["video"], timeoutMs: 60_000 });
    const job = createJob({ id: "m1", task: "t", input: null, queue: "mail" }, clock.now());
    await elsewhere.jobInsertMany({ jobs: [job] });
    await heardWithin(idle, "the enqueue");
    ringTaken.resolve();
    // The held claim read before the enqueue: the loop claims again at once, no time passing.
    const asleep = clock.untilSleeping(1).then(() => "asleep");
    assertEquals(await Promise.race([ran.promise, asleep]), "m1");
  } finally {
    await loop.stop();
  }
});
