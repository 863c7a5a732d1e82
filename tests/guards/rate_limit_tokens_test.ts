/**
 * Rate-limited claims (`src/guards/rate_limit_tokens.ts`) on the in-memory records and a
 * claim that honours caps over a list of ready jobs, on a fake clock: reservations, caps,
 * give-backs, wake-ups, and what a failed give-back leaves.
 */
import { assertEquals, assertRejects } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import type { Job } from "../../src/job.ts";
import type {
  CappedClaim,
  CappedClaimParams,
  ClaimCaps,
  JobClaimParams,
} from "../../src/store/store.ts";
import { CapsLeft } from "../../src/store/claim_caps.ts";
import type { RecordAddress } from "../../src/store/records.ts";
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
  /** The caps of every claim, in order (undefined: a plain claim). */
  readonly caps: (ClaimCaps | undefined)[] = [];
  /** Window reads made. */
  reads = 0;

  add(n: number, task: string, queue = "default"): void {
    const at = this.ready.length;
    this.ready.push(
      ...Array.from(
        { length: n },
        (_, i) => createJob({ id: `${task}${at + i}`, task, queue, input: {} }, 0),
      ),
    );
  }

  override recordGet(address: RecordAddress) {
    this.reads++;
    return super.recordGet(address);
  }

  jobClaim(params: JobClaimParams): Promise<Job[]> {
    this.caps.push(undefined);
    return Promise.resolve(this.#take(params, new CapsLeft({})));
  }

  jobClaimCapped(params: CappedClaimParams): Promise<CappedClaim> {
    this.caps.push(params.caps);
    const left = new CapsLeft(params.caps);
    return Promise.resolve({ jobs: this.#take(params, left), heldBack: left.heldBack() });
  }

  #take({ queues, limit, workerId, now, leaseMs }: JobClaimParams, left: CapsLeft): Job[] {
    const taken: Job[] = [];
    const done = new Set<string>(); // queues whose cap held a job back: looked at no further
    for (const job of this.ready.filter((job) => queues.includes(job.queue))) {
      if (taken.length >= limit) break;
      if (done.has(job.queue)) continue;
      if (left.take(job)) taken.push(job);
      else if (left.queueFull(job.queue)) done.add(job.queue);
    }
    this.ready = this.ready.filter((job) => !taken.includes(job));
    return taken.map((job) => claimJob(job, { workerId, now, leaseMs }));
  }
}

const send = { tasks: { send: { max: 3, per: 1_000 } }, queues: {} };
const params = { queues: ["default"], workerId: "w", limit: 10, leaseMs: 60_000 };
/** A claim of \`params\` now, under the \`send\` task's limit. */
const claimSend = (store: MemoryClaims, clock: FakeClock) =>
  claimWithinRateLimits(store, { ...params, now: clock.now(), rateLimits: send });
const window = async (store: MemoryClaims, key = "task:send") =>
  (await store.recordGet({ space: RATE_WINDOW_SPACE, key }))?.value;

Deno.test("while no limited job is ready, a claim is one capped claim that reads and writes no window", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.add(3, "other");
  const claimed = await claimSend(store, clock);
  assertEquals(claimed, { jobs: claimed.jobs, wakeAt: null, ready: [] });
  assertEquals(claimed.jobs.length, 3);
  assertEquals(store.caps, [{ tasks: { send: 0 }, queues: {} }]);
  assertEquals([store.reads, await window(store)], [0, undefined]);
});

Deno.test("limited jobs held back get free starts reserved up to the room left, are claimed, and the rest is given back", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.add(2, "send");
  store.add(1, "other");
  const now = clock.now();
  const rateLimits = { tasks: { send: { max: 20, per: 1_000 } }, queues: {} };
  const claimed = await claimWithinRateLimits(store, { ...params, now, rateLimits });
  assertEquals(claimed.jobs.map((job) => job.task), ["other", "send", "send"]);
  assertEquals(store.caps, [
    { tasks: { send: 0 }, queues: {} },
    { tasks: { send: 9 }, queues: {} },
  ], "the room left after the first claim");
  assertEquals(await window(store), [now, now], "the 7 unused given back");
  assertEquals([claimed.wakeAt, claimed.ready], [null, []], "the window is not full");
});

Deno.test("a claim told the limits left ready reserves for them before its one claim", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.add(5, "send");
  const limits = { tasks: { send: { max: 20, per: 1_000 } }, queues: {} };
  const at = { ...params, limit: 2, now: clock.now(), rateLimits: limits };
  const first = await claimWithinRateLimits(store, at);
  assertEquals([first.jobs.length, first.ready], [2, ["task:send"]], "its reservation used up");
  const claims = store.caps.length;
  const next = await claimWithinRateLimits(store, { ...at, ready: first.ready });
  assertEquals([next.jobs.length, next.ready], [2, ["task:send"]]);
  assertEquals(store.caps.slice(claims), [{ tasks: { send: 2 }, queues: {} }]);
  const last = await claimWithinRateLimits(store, { ...at, ready: next.ready });
  assertEquals([last.jobs.length, last.ready], [1, []], "a reservation left over: none ready");
  assertEquals((await window(store) as number[]).length, 5, "the unused start given back");
});

Deno.test("a limited task behind its limited queue's cap is reserved for in one more round", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.add(2, "other", "mail");
  store.add(1, "send", "mail");
  const limits = {
    tasks: { send: { max: 5, per: 1_000 } },
    queues: { mail: { max: 5, per: 1_000 } },
  };
  const at = { ...params, queues: ["mail"], now: clock.now(), rateLimits: limits };
  const { jobs } = await claimWithinRateLimits(store, at);
  assertEquals(jobs.map((job) => job.task), ["other", "other", "send"]);
  assertEquals(store.caps, [
    { tasks: { send: 0 }, queues: { mail: 0 } },
    { tasks: { send: 0 }, queues: { mail: 5 } },
    { tasks: { send: 5 }, queues: { mail: 3 } },
  ]);
  assertEquals((await window(store, "queue:mail") as number[]).length, 3);
  assertEquals((await window(store, "task:send") as number[]).length, 1);
});

Deno.test("a full window caps its task at 0, and the claim tells when it frees", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.add(5, "send");
  const first = await claimSend(store, clock);
  assertEquals([first.jobs.length, first.wakeAt], [3, 11_000]);
  clock.advance(400);
  const held = await claimSend(store, clock);
  assertEquals([held.jobs.length, held.wakeAt], [0, 11_000]);
  assertEquals(store.caps.at(-1), { tasks: { send: 0 }, queues: {} });
  clock.advance(600);
  const next = await claimSend(store, clock);
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
  await claimSend(store, clock);
  clock.advance(50);
  // The three starts may be a reservation about to be given back: look again soon.
  const held = await claimSend(store, clock);
  assertEquals([held.jobs.length, held.wakeAt], [0, 10_000 + RESERVATION_SETTLE_MS]);
  clock.advance(RESERVATION_SETTLE_MS);
  const settled = await claimSend(store, clock);
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
    onLateError: (error) => errors.push(error),
  });
  assertEquals([jobs.length, errors.length], [1, 1], "the claimed job is still answered");
  store.recordCommit = commit;
  store.add(4, "send");
  clock.advance(1);
  const next = await claimSend(store, clock);
  assertEquals(next.jobs.length, 0, "the unused reservation still counts: under-use only");
  clock.advance(1_000);
  const later = await claimSend(store, clock);
  assertEquals(later.jobs.length, 3);
});

Deno.test("a claim that fails gives its whole reservation back and throws", async () => {
  const clock = new FakeClock(10_000);
  const store = new MemoryClaims(clock);
  store.jobClaimCapped = () => Promise.reject(new Error("claim failed"));
  const ready = ["task:send"];
  await assertRejects(
    () => claimWithinRateLimits(store, { ...params, now: clock.now(), rateLimits: send, ready }),
    Error,
    "claim failed",
  );
  assertEquals(await window(store), [], "reserved up front, then given back");
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
