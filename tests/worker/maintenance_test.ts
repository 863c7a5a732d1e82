import { assert, assertEquals } from "../assert.ts";
import { silentLogger } from "../../src/log.ts";
import { PROMOTE_IDLE_SLEEP_MS, Promoter } from "../../src/maintenance/promoter.ts";
import { Pruner } from "../../src/maintenance/pruner.ts";
import { jobLogAppend, jobLogList } from "../../src/job_log/job_log.ts";
import {
  ExpirySweeper,
  SWEEP_IDLE_PASS_MS,
  SWEEP_PASS_MS,
} from "../../src/maintenance/expiry_sweeper.ts";
import { RESCUE_GRACE_MS, Rescuer } from "../../src/maintenance/rescuer.ts";
import type { Store } from "../../src/store/store.ts";
import { finishJob } from "../../src/transitions/mod.ts";
import {
  advance,
  advanceUntil,
  countCalls,
  fixture,
  task,
  waitFor,
  waitForJob,
} from "./helpers.ts";

const noop = task("noop", () => null);

/**
 * Sleeps of an idle promoter on the clock: its sleep until the next job is due, and its wait
 * for the store's news (the timers bell).
 */
const PROMOTER_ASLEEP = 2;

/** Claims every ready job as a worker that will never renew its leases. */
function claimAsDeadWorker(store: Store, now: number) {
  return store.jobClaim({
    queues: ["default"],
    workerId: "dead:1:x",
    limit: 10,
    leaseMs: 1_000,
    now,
  });
}

Deno.test("promoter queues a delayed job when it is due", async () => {
  await using fx = await fixture([noop]);
  const promoter = new Promoter({ store: fx.store, clock: fx.clock, logger: silentLogger });
  const job = await fx.enqueue("noop", {}, { delay: 5_000 });
  assertEquals(job.state, "scheduled");
  promoter.start();
  await advance(fx.clock, 4_000);
  assertEquals((await fx.store.jobGet(job.id))!.state, "scheduled");
  const due = waitForJob(fx.store, job.id, (j) => j.state === "queued");
  const queued = await advanceUntil(fx.clock, due, 100);
  assertEquals(queued.attempts, 0);
  await promoter.stop();
});

Deno.test("a sleeping promoter wakes for a job scheduled after it went to sleep", async () => {
  await using fx = await fixture([noop]);
  const promoter = new Promoter({ store: fx.store, clock: fx.clock, logger: silentLogger });
  promoter.start();
  await fx.clock.untilSleeping(PROMOTER_ASLEEP);
  // Nothing scheduled: it went to sleep for its longest sleep, not until this job is due.
  const job = await fx.enqueue("noop", {}, { delay: 1_000 });
  await fx.clock.untilSleeping(PROMOTER_ASLEEP); // again, until the job is due
  await advance(fx.clock, 1_000);
  await waitForJob(fx.store, job.id, (j) => j.state === "queued");
  await promoter.stop();
});

Deno.test("an idle promoter on a store that tells of scheduled jobs reads nothing for 30 s", async () => {
  await using fx = await fixture([noop]);
  const counted = countCalls(fx.store, "jobListDue");
  const promoter = new Promoter({ store: counted.store, clock: fx.clock, logger: silentLogger });
  promoter.start();
  await fx.clock.untilSleeping(PROMOTER_ASLEEP);
  for (let ms = 0; ms < PROMOTE_IDLE_SLEEP_MS - 1_000; ms += 1_000) await advance(fx.clock, 1_000);
  assertEquals(counted.calls, 1);
  await promoter.stop();
});

Deno.test("rescuer returns a job whose lease expired and fails it after max_attempts expiries", async () => {
  await using fx = await fixture([noop]);
  const { store, clock } = fx;
  const services = [
    new Rescuer({ store, clock, logger: silentLogger, failureTtlMs: 60_000 }),
    new Promoter({ store, clock, logger: silentLogger }),
  ];
  const job = await fx.enqueue("noop", {}, { maxAttempts: 2 });
  await claimAsDeadWorker(store, clock.now());
  for (const service of services) service.start();

  const retried = await advanceUntil(
    clock,
    waitForJob(store, job.id, (j) => j.state === "queued"),
    500,
  );
  const [first] = retried.errors;
  assertEquals([first.name, first.attempt, first.workerId], ["LeaseExpiredError", 1, "dead:1:x"]);
  assertEquals(
    first.message,
    "worker dead:1:x stopped renewing its lease (it probably died); attempt 1 abandoned",
  );

  await claimAsDeadWorker(store, clock.now());
  const failed = await advanceUntil(
    clock,
    waitForJob(store, job.id, (j) => j.state === "failed"),
    500,
  );
  assertEquals(failed.attempts, 2);
  assertEquals(failed.errors.map((e) => e.name), ["LeaseExpiredError", "LeaseExpiredError"]);
  assertEquals(failed.expiresAt, failed.endedAt! + 60_000);
  await Promise.all(services.map((service) => service.stop()));
});

Deno.test("a worker's rescuer returns a lease a grace after it runs out, claimed after its last look", async () => {
  await using fx = await fixture([noop]);
  const { store, clock } = fx;
  const rescuer = new Rescuer({
    store,
    clock,
    logger: silentLogger,
    failureTtlMs: 60_000,
    leaseMs: 10_000,
  });
  rescuer.start();
  await waitFor(() => clock.pendingSleeps === 1, "the rescuer asleep");
  await advance(clock, 3_000);
  const job = await fx.enqueue("noop", {});
  const claimedAt = clock.now();
  await store.jobClaim({
    queues: ["default"],
    workerId: "dead:1:x",
    limit: 1,
    leaseMs: 10_000,
    now: claimedAt,
  });
  const rescued = await advanceUntil(
    clock,
    waitForJob(store, job.id, (j) => j.state !== "started"),
    500,
  );
  assertEquals(rescued.errors[0].at - claimedAt, 10_000 + RESCUE_GRACE_MS);
  await rescuer.stop();
});

Deno.test("an idle worker's rescuer looks once per lease", async () => {
  await using fx = await fixture();
  const counted = countCalls(fx.store, "jobListLeaseExpired");
  const { clock } = fx;
  const options = { clock, logger: silentLogger, failureTtlMs: 60_000, leaseMs: 30_000 };
  const rescuer = new Rescuer({ store: counted.store, ...options });
  rescuer.start();
  await waitFor(() => fx.clock.pendingSleeps === 1, "the rescuer asleep");
  for (let ms = 0; ms < 59_000; ms += 1_000) await advance(fx.clock, 1_000);
  assertEquals(counted.calls, 2 * 2); // two rounds, each a look and the next lease's end
  await rescuer.stop();
});

Deno.test("an expiry sweeper that read no job with an expiry waits a minute for its next pass", async () => {
  await using fx = await fixture([noop]);
  await fx.enqueue("noop", {});
  const counted = countCalls(fx.store, "jobList");
  const { clock } = fx;
  const sweeper = new ExpirySweeper({
    store: counted.store,
    clock,
    logger: silentLogger,
    failureTtlMs: 60_000,
  });
  sweeper.start();
  const passEnd = SWEEP_PASS_MS + 1_000;
  for (let ms = 0; ms < passEnd + SWEEP_IDLE_PASS_MS - 1_000; ms += 1_000) {
    await advance(fx.clock, 1_000);
  }
  assertEquals(counted.calls, 2); // one page of queued jobs, one of scheduled ones
  await sweeper.stop();
});

Deno.test("pruner deletes expired finished jobs with their log lines and keeps the others", async () => {
  await using fx = await fixture([noop]);
  const { store, clock } = fx;
  const [short, long] = [await fx.enqueue("noop", {}), await fx.enqueue("noop", {})];
  const claimed = await store.jobClaim({
    queues: ["default"],
    workerId: "w",
    limit: 2,
    leaseMs: 30_000,
    now: clock.now(),
  });
  const ttl = (id: string) => id === short.id ? 1_000 : 86_400_000;
  await store.jobUpdateMany({
    updates: claimed.map((job) => ({
      before: job,
      after: finishJob(job, { now: clock.now(), result: null, ttlMs: ttl(job.id) }),
    })),
  });
  const at = clock.now();
  const line = (jobId: string) => ({ jobId, seq: "1", at, attempt: 1, message: "m" });
  await jobLogAppend(store, [line(short.id), line(long.id)]);
  const pruner = new Pruner({ store, clock, logger: silentLogger, intervalMs: 60_000 });
  pruner.start();
  const gone = (async () => {
    while (await store.jobGet(short.id)) await new Promise((r) => setTimeout(r, 5));
  })();
  await advanceUntil(clock, gone, 60_000);
  assert((await store.jobGet(long.id))?.state === "finished", "an unexpired job was pruned");
  await pruner.stop();
  // Its log lines went with it; the kept job's stay.
  assertEquals(await jobLogList(store, { jobId: short.id, limit: 10 }), []);
  assertEquals(await jobLogList(store, { jobId: long.id, limit: 10 }), [line(long.id)]);
});
