/**
 * A job claimed ahead waits for a slot without its lease being renewed. If it waited past
 * its lease (a handler held the thread), the worker must not start it: another worker may
 * have rescued it and be running it.
 */
import { assertEquals } from "../assert.ts";
import { silentLogger } from "../../src/log.ts";
import { Completer } from "../../src/worker/completer.ts";
import { Executor } from "../../src/worker/executor.ts";
import type { RunningJobs } from "../../src/worker/running_job.ts";
import { WriteLock } from "../../src/worker/write_lock.ts";
import { enqueueAndClaim, fixture, task, waitForJob } from "./helpers.ts";

const LEASE_MS = 1_000;

Deno.test("a job claimed ahead whose lease lapsed before its start is put back, not run", async () => {
  let runs = 0;
  await using fx = await fixture([task("send", () => ++runs)]);
  const claimed = await enqueueAndClaim(fx, "send", LEASE_MS);
  fx.clock.advance(LEASE_MS);
  const running: RunningJobs = new Map();
  const { store, clock, registry } = fx;
  const common = { store, running, workerId: "w", clock, logger: silentLogger };
  const completer = new Completer({ ...common, lock: new WriteLock() });
  const executor = new Executor({
    ...common,
    registry,
    completer,
    resultTtlMs: 60_000,
    failureTtlMs: 60_000,
  });
  await executor.run(claimed);
  const job = await waitForJob(
    fx.store,
    claimed.id,
    (j) => j.state === "queued",
    "the job put back",
  );
  assertEquals([job.attempts, runs, running.size], [0, 0, 0]);
});
