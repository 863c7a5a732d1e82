import { assertEquals, assertThrows } from "./assert.ts";
import { InvalidStateError } from "../src/errors.ts";
import type { Job } from "../src/job.ts";
import {
  cancelJob,
  claimJob,
  createJob,
  extendLease,
  failAttempt,
  finishJob,
  promoteJob,
  releaseJob,
  retryJob,
} from "../src/transitions.ts";

const lease = { workerId: "w1", now: 100, leaseMs: 1_000 };
const error = { name: "Error", message: "boom" };
const queued = (maxAttempts = 2) =>
  createJob({ id: "01J", task: "t", input: { a: 1 }, maxAttempts }, 0);

Deno.test("a new job is queued, or scheduled when it must wait", () => {
  assertEquals(queued().state, "queued");
  const later = createJob({ id: "a", task: "t", input: null, runAt: 50 }, 0);
  assertEquals([later.state, later.runAt], ["scheduled", 50]);
  const past = createJob({ id: "b", task: "t", input: null, runAt: -5 }, 0);
  assertEquals([past.state, past.runAt], ["queued", 0]);
});

Deno.test("every transition bumps the version and drops unset fields", () => {
  const started = claimJob(queued(), lease);
  assertEquals([started.version, started.attempts, started.leaseExpiresAt], [2, 1, 1_100]);
  const done = finishJob(started, { now: 200, result: "ok", ttlMs: 10 });
  assertEquals(done.version, 3);
  assertEquals("leaseExpiresAt" in done, false);
  assertEquals([done.state, done.result, done.expiresAt], ["finished", "ok", 210]);
});

Deno.test("a failed attempt is retried after the backoff while attempts remain", () => {
  const failed = failAttempt(claimJob(queued(), lease), {
    now: 200,
    error,
    retryDelayMs: 500,
    ttlMs: 10,
  });
  assertEquals([failed.state, failed.runAt, failed.errors.length], ["scheduled", 700, 1]);
  assertEquals(failed.errors[0], { ...error, attempt: 1, at: 200 });
  const again = claimJob(promoteJob(failed), { ...lease, now: 700 });
  const dead = failAttempt(again, { now: 800, error, retryDelayMs: 500, ttlMs: 10 });
  assertEquals([dead.state, dead.attempts, dead.expiresAt], ["failed", 2, 810]);
});

Deno.test("a final failure skips the attempts left", () => {
  const failed = failAttempt(claimJob(queued(5), lease), {
    now: 1,
    error,
    retryDelayMs: 1,
    ttlMs: 1,
    final: true,
  });
  assertEquals(failed.state, "failed");
});

Deno.test("cancel ends a waiting job and marks a running one", () => {
  const canceled = cancelJob(queued(), { now: 5, reason: "no longer needed", ttlMs: 10 });
  assertEquals([canceled.state, canceled.cancelReason], ["canceled", "no longer needed"]);
  const running = claimJob(queued(), lease);
  const marked = cancelJob(running, { now: 5, reason: "stop", ttlMs: 10 });
  assertEquals([marked.state, marked.cancelRequested], ["started", true]);
  const ended = cancelJob(marked, { now: 6, reason: "stop", ttlMs: 10, byWorker: true });
  assertEquals(ended.state, "canceled");
});

Deno.test("a failing or released attempt of a job being canceled ends canceled", () => {
  const marked = cancelJob(claimJob(queued(), lease), { now: 5, reason: "stop", ttlMs: 10 });
  assertEquals(
    failAttempt(marked, { now: 6, error, retryDelayMs: 1, ttlMs: 10 }).state,
    "canceled",
  );
  assertEquals(releaseJob(marked, { now: 6, ttlMs: 10 }).state, "canceled");
});

Deno.test("a released job is queued again without spending its attempt", () => {
  const released = releaseJob(claimJob(queued(), lease), { now: 300, ttlMs: 10 });
  assertEquals([released.state, released.attempts, released.runAt], ["queued", 0, 300]);
});

Deno.test("a manual retry queues a failed job with a fresh budget and keeps its history", () => {
  const failed = failAttempt(claimJob(queued(1), lease), {
    now: 1,
    error,
    retryDelayMs: 1,
    ttlMs: 1,
  });
  const retried = retryJob(failed, { now: 50 });
  assertEquals([retried.state, retried.attempts, retried.errors.length], ["queued", 0, 1]);
  assertEquals("expiresAt" in retried, false);
});

Deno.test("transitions from the wrong state throw InvalidStateError", () => {
  const job: Job = queued();
  assertThrows(() => finishJob(job, { now: 1, result: 1, ttlMs: 1 }), InvalidStateError);
  assertThrows(() => extendLease(job, { now: 1, leaseMs: 1 }), InvalidStateError);
  assertThrows(() => promoteJob(job), InvalidStateError);
  assertThrows(() => retryJob(job, { now: 1 }), InvalidStateError);
  assertThrows(() => claimJob(claimJob(job, lease), lease), InvalidStateError);
});
