/**
 * A claim loop with rate limits claims through `src/guards/rate_limit_tokens.ts`: it leaves
 * the windows alone while no limited job is ready, and, while a full window holds its jobs
 * back, waits only until the window frees a start (not the idle wait's 30 s), on the store's
 * fake clock.
 */
import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { silentLogger } from "../../src/log.ts";
import { openKvStore } from "../../src/store/kv/kv_store.ts";
import { createJob } from "../../src/transitions/mod.ts";
import { RATE_WINDOW_SPACE } from "../../src/guards/rate_limit_tokens.ts";
import type { RecordAddress, RecordCommitParams } from "../../src/store/records.ts";
import type { Store } from "../../src/store/store.ts";
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

Deno.test("a claim loop whose limited task has no job ready leaves its window alone until one is", async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const store = await openKvStore(":memory:", { clock });
  const windowCalls: string[] = [];
  // The store, telling of each read and write of a rate limit window.
  const counted: Store = new Proxy(store, {
    get(target, name) {
      if (name === "recordGet") {
        return (address: RecordAddress) => {
          if (address.space === RATE_WINDOW_SPACE) windowCalls.push("read");
          return target.recordGet(address);
        };
      }
      if (name === "recordCommit") {
        return (commit: RecordCommitParams) => {
          if (commit.puts?.some((put) => put.space === RATE_WINDOW_SPACE)) {
            windowCalls.push("write");
          }
          return target.recordCommit(commit);
        };
      }
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const job = (id: string, task: string) => createJob({ id, task, input: null }, clock.now());
  await store.jobInsertMany({ jobs: [job("a", "other"), job("b", "other")] });
  const started: string[] = [];
  const loop = new ClaimLoop({
    store: counted,
    queues: ["default"],
    workerId: "w",
    concurrency: 2,
    leaseMs: 30_000,
    rateLimits: { tasks: { send: { max: 5, per: 1_000 } }, queues: {} },
    clock,
    logger: silentLogger,
    run: (job) => (started.push(job.id), Promise.resolve()),
  });
  try {
    loop.start();
    await clock.untilSleeping(1);
    assertEquals([started, windowCalls], [["a", "b"], []]);
    await store.jobInsertMany({ jobs: [job("c", "send")] });
    while (started.length < 3) await clock.untilSleeping(1);
    assertEquals(started, ["a", "b", "c"]);
    assertEquals(windowCalls.slice(0, 2), ["read", "write"], "reserved once a job was held back");
  } finally {
    await loop.stop();
    store.close();
  }
});
