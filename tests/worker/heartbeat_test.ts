import { assertEquals } from "../assert.ts";
import type { Clock } from "../../src/clock.ts";
import { silentLogger } from "../../src/log.ts";
import type { Store } from "../../src/store/store.ts";
import { cancelJob } from "../../src/transitions/mod.ts";
import { Heartbeat, idleSleepMs } from "../../src/worker/heartbeat.ts";
import { RunningJob, type RunningJobs } from "../../src/worker/running_job.ts";
import { WriteLock } from "../../src/worker/write_lock.ts";
import {
  advance,
  countCalls,
  enqueueAndClaim,
  fixture,
  task,
  waitFor,
  waitForJob,
} from "./helpers.ts";

const LEASE_MS = 30_000;

/** A heartbeat of worker "w" on `store`, and its running jobs. */
function heartbeatOf(store: Store, clock: Clock) {
  const running: RunningJobs = new Map();
  const heartbeat = new Heartbeat({
    store,
    running,
    lock: new WriteLock(),
    workerId: "w",
    leaseMs: LEASE_MS,
    clock,
    logger: silentLogger,
  });
  return { heartbeat, running };
}

Deno.test("an idle heartbeat wakes once per third of the lease", async () => {
  await using fx = await fixture();
  let sleeps = 0;
  const clock: Clock = {
    now: () => fx.clock.now(),
    sleep: (ms, signal) => (sleeps++, fx.clock.sleep(ms, signal)),
  };
  const { heartbeat } = heartbeatOf(fx.store, clock);
  heartbeat.start();
  await waitFor(() => sleeps === 1, "the heartbeat asleep");
  for (let ms = 0; ms < 60_000; ms += 1_000) await advance(fx.clock, 1_000);
  assertEquals(sleeps, 60_000 / idleSleepMs(LEASE_MS) + 1);
  await heartbeat.stop();
});

Deno.test("a job started while the heartbeat sleeps idle is checked within a second", async () => {
  await using fx = await fixture([task("t", () => null)]);
  const { heartbeat, running } = heartbeatOf(fx.store, fx.clock);
  heartbeat.start();
  await advance(fx.clock, 1_000);
  const claimed = await enqueueAndClaim(fx, "t", LEASE_MS);
  const entry = new RunningJob(claimed, fx.clock.now());
  running.set(claimed.id, entry);
  heartbeat.jobStarted();
  const canceled = cancelJob(claimed, { now: fx.clock.now(), reason: "test", ttlMs: 1_000 });
  await fx.store.jobUpdateMany({ updates: [{ before: claimed, after: canceled }] });
  for (let i = 0; i < 3 && !entry.signal.aborted; i++) await advance(fx.clock, 500);
  assertEquals(entry.cause, "cancel");
  await heartbeat.stop();
});

Deno.test("the heartbeat extends leases once the oldest is a third of the lease old", async () => {
  await using fx = await fixture([task("t", () => null)]);
  const counted = countCalls(fx.store, "jobUpdateMany");
  const { heartbeat, running } = heartbeatOf(counted.store, fx.clock);
  const claimed = await enqueueAndClaim(fx, "t", LEASE_MS);
  running.set(claimed.id, new RunningJob(claimed, fx.clock.now()));
  heartbeat.start();
  for (let ms = 0; ms < LEASE_MS / 3 - 1_000; ms += 1_000) await advance(fx.clock, 1_000);
  assertEquals(counted.calls, 0);
  await advance(fx.clock, 1_000);
  const extended = await waitForJob(
    fx.store,
    claimed.id,
    (job) => job.leaseExpiresAt! > claimed.leaseExpiresAt!,
  );
  assertEquals(extended.leaseExpiresAt, fx.clock.now() + LEASE_MS);
  await waitFor(() => running.get(claimed.id)!.job.version === extended.version);
  assertEquals(counted.calls, 1);
  await heartbeat.stop();
});
