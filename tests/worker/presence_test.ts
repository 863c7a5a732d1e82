import { assertEquals } from "../assert.ts";
import type { Clock } from "../../src/clock.ts";
import { silentLogger } from "../../src/log.ts";
import type { Store } from "../../src/store/store.ts";
import { createJob } from "../../src/transitions/mod.ts";
import {
  BEAT_TTL_MS,
  IDLE_BEAT_INTERVAL_MS,
  IDLE_BEAT_TTL_MS,
  Presence,
} from "../../src/worker/presence.ts";
import { RunningJob, type RunningJobs } from "../../src/worker/running_job.ts";
import { workerList } from "../../src/presence/worker_registry.ts";
import { countCalls, fixture, waitFor } from "./helpers.ts";

/** The presence of worker "w", serving `default` one job at a time. */
function presenceOf(store: Store, running: RunningJobs, clock: Clock): Presence {
  const queues = ["default"];
  return new Presence({
    store,
    running,
    workerId: "w",
    queues,
    concurrency: 1,
    clock,
    logger: silentLogger,
  });
}

Deno.test("an idle worker beats every 15 s, its entry lasting three beats", async () => {
  await using fx = await fixture();
  const counted = countCalls(fx.store, "recordPut");
  const presence = presenceOf(counted.store, new Map(), fx.clock);
  presence.start();
  await waitFor(() => counted.calls === 1, "the first beat");
  const [entry] = await workerList(fx.store, { now: fx.clock.now() });
  assertEquals(entry.expiresAt, fx.clock.now() + IDLE_BEAT_TTL_MS);
  // Each step waits for the beat's write, however long the store takes on a loaded machine,
  // so fake time never runs ahead of it and shifts the next beat.
  for (const beats of [2, 3]) {
    await fx.clock.untilSleeping(1);
    fx.clock.advance(IDLE_BEAT_INTERVAL_MS - 1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    assertEquals(counted.calls, beats - 1, "a beat came early");
    fx.clock.advance(1);
    await waitFor(() => counted.calls === beats, `beat ${beats}`);
  }
  await presence.stop();
  assertEquals(await workerList(fx.store, { now: fx.clock.now() }), []);
});

Deno.test("a job started after an idle beat is in the registry at once", async () => {
  await using fx = await fixture();
  const running: RunningJobs = new Map();
  const presence = presenceOf(fx.store, running, fx.clock);
  presence.start();
  await waitFor(async () => (await workerList(fx.store, { now: fx.clock.now() })).length === 1);
  const job = createJob({ id: "j1", task: "t", input: 1 }, fx.clock.now());
  running.set(job.id, new RunningJob(job, fx.clock.now()));
  presence.jobStarted();
  await waitFor(async () => {
    const [entry] = await workerList(fx.store, { now: fx.clock.now() });
    return entry.running === 1;
  }, "the entry with the job");
  const [entry] = await workerList(fx.store, { now: fx.clock.now() });
  assertEquals([entry.runningJobIds, entry.expiresAt], [["j1"], fx.clock.now() + BEAT_TTL_MS]);
  await presence.stop();
});
