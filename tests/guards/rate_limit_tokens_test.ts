/**
 * Rate-limited claims (`src/guards/rate_limit_tokens.ts`) on the in-memory records and a
 * claim that honours caps over a list of ready jobs, on a fake clock: reservations, caps,
 * give-backs, wake-ups, and what a failed give-back leaves.
 */
import { assertEquals, assertRejects } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import type { Job } from "../../src/job.ts";
import type { JobClaimParams } from "../../src/store/store.ts";
import { CapsLeft } from "../../src/store/claim_caps.ts";
import {
  claimWithinRateLimits,
  RATE_WINDOW_SPACE,
  type RateLimitStore,
} from "../../src/guards/rate_limit_tokens.ts";
import { RESERVATION_SETTLE_MS } from "../../src/guards/rate_limit_window.ts";
import { claimJob, createJob } from "../../src/transitions/mod.ts";
import { MemoryRecords } from "../store/memory_records.ts";

/** The in-memory records with a claim over `ready`, best first, honouring caps. */
class MemoryClaims extends MemoryRecords implements RateLimitStore {
  ready: Job[] = [];
  /** The caps of every claim, in order. */
  readonly caps: JobClaimParams["caps"][] = [];

  add(n: number, task: string, queue = "default"): void {
    const at = this.ready.length;
    this.ready.push(
      ...Array.from(
        { length: n },
        (_, i) => createJob({ id: `${task}${at + i}`, task, queue, input: {} }, 0),
      ),
    );
  }

  jobClaim({ queues, limit, caps, workerId, now, leaseMs }: JobClaimParams): Promise<Job[]> {
    this.caps.push(caps);
    const left = new CapsLeft(caps ?? {});
    const taken = this.ready
      .filter((job) => queues.includes(job.queue))
      .filter((job) => left.take(job))
      .slice(0, limit);
    this.ready = this.ready.filter((job) => !taken.includes(job));
    return Promise.resolve(taken.map((job) => claimJob(job, { workerId, now, leaseMs })));
  }
}

const send = { tasks: { send: { max: 3, per: 1_000 } }, queues: {} };
const params = { queues: ["default"], workerId: "w", limit: 10, leaseMs: 60_000 };
const window = async (store: MemoryClaims, key = "task:send") =>
  (await store.recordGet({ space: RATE_WINDOW_SPACE, key }))?.value;

Deno.test("a claim reserves free starts up to its limit, caps the claim to them and gives back the rest", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.add(2, "send");
  store.add(1, "other");
  const now = clock.now();
  const rateLimits = { tasks: { send: { max: 20, per: 1_000 } }, queues: {} };
  const { jobs, wakeAt } = await claimWithinRateLimits(store, { ...params, now, rateLimits });
  assertEquals(jobs.map((job) => job.task), ["send", "send", "other"]);
  assertEquals(store.caps, [{ tasks: { send: 10 }, queues: {} }], "the claim's limit");
  assertEquals(await window(store), [now, now], "the 8 unused given back");
  assertEquals(wakeAt, null, "the window is not full");
});

Deno.test("a full window caps its task at 0, and the claim tells when it frees", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.add(5, "send");
  const first = await claimWithinRateLimits(store, {
    ...params,
    now: clock.now(),
    rateLimits: send,
  });
  assertEquals([first.jobs.length, first.wakeAt], [3, 11_000]);
  clock.advance(400);
  const held = await claimWithinRateLimits(store, {
    ...params,
    now: clock.now(),
    rateLimits: send,
  });
  assertEquals([held.jobs.length, held.wakeAt], [0, 11_000]);
  assertEquals(store.caps.at(-1), { tasks: { send: 0 }, queues: {} });
  clock.advance(600);
  const next = await claimWithinRateLimits(store, {
    ...params,
    now: clock.now(),
    rateLimits: send,
  });
  assertEquals(next.jobs.length, 2);
});

Deno.test("concurrent claimants reserve from one window without exceeding it", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.add(20, "send");
  const rounds = await Promise.all(
    Array.from(
      { length: 4 },
      () =>
        claimWithinRateLimits(store, { ...params, limit: 2, now: clock.now(), rateLimits: send }),
    ),
  );
  assertEquals(rounds.map((r) => r.jobs.length).reduce((a, b) => a + b), 3);
  assertEquals((await window(store) as number[]).length, 3);
});

Deno.test("a job counts against its queue's window and its task's", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.add(3, "send", "mail");
  store.add(3, "other", "mail");
  const limits = {
    tasks: { send: { max: 5, per: 1_000 } },
    queues: { mail: { max: 2, per: 1_000 } },
  };
  const { jobs } = await claimWithinRateLimits(store, {
    ...params,
    queues: ["mail"],
    now: clock.now(),
    rateLimits: limits,
  });
  assertEquals(jobs.map((job) => job.task), ["send", "send"]);
  assertEquals((await window(store, "queue:mail") as number[]).length, 2);
  assertEquals((await window(store, "task:send") as number[]).length, 2, "3 given back");
});

Deno.test("a claimant that finds a window full of fresh starts looks again once they settle", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.add(5, "send");
  await claimWithinRateLimits(store, { ...params, now: clock.now(), rateLimits: send });
  clock.advance(50);
  // The three starts may be a reservation about to be given back: look again soon.
  const held = await claimWithinRateLimits(store, {
    ...params,
    now: clock.now(),
    rateLimits: send,
  });
  assertEquals([held.jobs.length, held.wakeAt], [0, 10_000 + RESERVATION_SETTLE_MS]);
  clock.advance(RESERVATION_SETTLE_MS);
  const settled = await claimWithinRateLimits(store, {
    ...params,
    now: clock.now(),
    rateLimits: send,
  });
  assertEquals([settled.jobs.length, settled.wakeAt], [0, 11_000]);
});

Deno.test("a give-back that fails leaves the window under-used until its starts leave it", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.add(1, "send");
  const commit = store.recordCommit.bind(store);
  let commits = 0;
  store.recordCommit = (p) => ++commits > 1 ? Promise.reject(new Error("store gone")) : commit(p);
  const errors: unknown[] = [];
  const { jobs } = await claimWithinRateLimits(store, {
    ...params,
    now: clock.now(),
    rateLimits: send,
    onGiveBackError: (error) => errors.push(error),
  });
  assertEquals([jobs.length, errors.length], [1, 1], "the claimed job is still answered");
  store.recordCommit = commit;
  store.add(4, "send");
  clock.advance(1);
  const next = await claimWithinRateLimits(store, {
    ...params,
    now: clock.now(),
    rateLimits: send,
  });
  assertEquals(next.jobs.length, 0, "the unused reservation still counts: under-use only");
  clock.advance(1_000);
  const later = await claimWithinRateLimits(store, {
    ...params,
    now: clock.now(),
    rateLimits: send,
  });
  assertEquals(later.jobs.length, 3);
});

Deno.test("a claim that fails gives its whole reservation back and throws", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.jobClaim = () => Promise.reject(new Error("claim failed"));
  await assertRejects(
    () => claimWithinRateLimits(store, { ...params, now: clock.now(), rateLimits: send }),
    Error,
    "claim failed",
  );
  assertEquals(await window(store), []);
});

Deno.test("a worker without limits for the claim's tasks or queues claims plainly", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.add(1, "send");
  const limits = { tasks: {}, queues: { other: { max: 1, per: 10 } } };
  await claimWithinRateLimits(store, { ...params, now: clock.now(), rateLimits: limits });
  await claimWithinRateLimits(store, { ...params, now: clock.now() });
  assertEquals(store.caps, [undefined, undefined]);
});
