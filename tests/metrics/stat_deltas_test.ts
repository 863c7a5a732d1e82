import { assertEquals } from "../assert.ts";
import { statDeltas } from "../../src/metrics/stat_deltas.ts";
import {
  claimJob,
  createJob,
  deferJob,
  expireJob,
  failAttempt,
  suspendJob,
} from "../../src/transitions/mod.ts";

const lease = { workerId: "w", now: 10, leaseMs: 1_000 };
const events = (deltas: ReturnType<typeof statDeltas>) =>
  deltas.filter((d) => d.key[0] === "jobs").map((d) => d.key[1]);

Deno.test("a deferral counts as deferred, not retried; a failed attempt as retried", () => {
  const started = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), lease);
  const deferred = deferJob(started, { now: 20, runAt: 1_000, ttlMs: 1 });
  assertEquals(events(statDeltas(started, deferred)), ["deferred"]);
  const failed = failAttempt(started, {
    now: 20,
    error: { name: "Error", message: "x" },
    retryDelayMs: 5,
    ttlMs: 1,
  });
  assertEquals(events(statDeltas(started, failed)), ["retried"]);
});

Deno.test("an expired job counts as expired and canceled, waiting or just claimed", () => {
  const waiting = createJob({ id: "a", task: "t", input: 1, startBy: 5 }, 0);
  assertEquals(events(statDeltas(waiting, expireJob(waiting, { now: 9, ttlMs: 1 }))), [
    "expired",
    "canceled",
  ]);
  const claimed = claimJob(waiting, lease);
  assertEquals(events(statDeltas(claimed, expireJob(claimed, { now: 11, ttlMs: 1 }))), [
    "expired",
    "canceled",
  ]);
});

Deno.test("a sleep or a wait counts as suspended, not retried nor waiting", () => {
  const started = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), lease);
  const base = { attempt: 1, startedAt: 20, until: 5_000 };
  const asleep = suspendJob(started, {
    now: 20,
    step: { ...base, name: "nap", kind: "sleep", state: "sleeping" },
    ttlMs: 1,
  });
  const waiting = suspendJob(started, {
    now: 20,
    step: { ...base, name: "ok", kind: "event", state: "waiting", event: "e", key: "" },
    ttlMs: 1,
  });
  assertEquals(events(statDeltas(started, asleep)), ["suspended"]);
  assertEquals(events(statDeltas(started, waiting)), ["suspended"]);
});
