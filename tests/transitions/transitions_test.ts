import { assertEquals, assertThrows } from "../assert.ts";
import { InvalidStateError } from "../../src/errors.ts";
import type { Job } from "../../src/job.ts";
import {
  cancelJob,
  claimJob,
  createJob,
  deferJob,
  expireJob,
  extendLease,
  failAttempt,
  finishJob,
  isExpired,
  promoteJob,
  releaseJob,
  resumeJob,
  retryJob,
  suspendJob,
} from "../../src/transitions/mod.ts";

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

Deno.test("a deferred job is scheduled again and gives its attempt back", () => {
  const started = claimJob(queued(1), lease);
  const deferred = deferJob(started, { now: 200, runAt: 1_200, ttlMs: 10 });
  assertEquals(
    [deferred.state, deferred.attempts, deferred.deferrals, deferred.runAt, deferred.errors],
    ["scheduled", 0, 1, 1_200, []],
  );
  assertEquals("leaseExpiresAt" in deferred, false);
  const again = deferJob(claimJob(promoteJob(deferred), lease), { now: 300, runAt: 300, ttlMs: 1 });
  assertEquals([again.state, again.attempts, again.deferrals], ["queued", 0, 2]);
});

Deno.test("deferring a job whose cancel was asked for cancels it", () => {
  const marked = cancelJob(claimJob(queued(), lease), { now: 150, reason: "by user", ttlMs: 1 });
  const after = deferJob(marked, { now: 200, runAt: 900, ttlMs: 10 });
  assertEquals([after.state, after.cancelReason], ["canceled", "by user"]);
});

Deno.test("a job expires only after its start-by time", () => {
  const job = createJob({ id: "a", task: "t", input: null, startBy: 500 }, 0);
  assertEquals([isExpired(job, 500), isExpired(job, 501), isExpired(queued(), 1e15)], [
    false,
    true,
    false,
  ]);
});

Deno.test("an expired job ends canceled as expired, a claimed one without an attempt", () => {
  const job = createJob({ id: "a", task: "t", input: null, startBy: 500, runAt: 400 }, 0);
  const waiting = expireJob(job, { now: 600, ttlMs: 10 });
  assertEquals([waiting.state, waiting.cancelReason, waiting.expiresAt], [
    "canceled",
    "expired",
    610,
  ]);
  const claimed = expireJob(claimJob(promoteJob(job), lease), { now: 600, ttlMs: 10 });
  assertEquals([claimed.state, claimed.cancelReason, claimed.attempts], ["canceled", "expired", 0]);
  assertThrows(() => expireJob(waiting, { now: 700, ttlMs: 1 }), InvalidStateError);
  const retried = retryJob(waiting, { now: 800 });
  assertEquals([retried.state, isExpired(retried, 900)], ["queued", false]);
});

Deno.test("a wait leaves the worker without an attempt and its expiry; cancel ends it at once", () => {
  const job = createJob({ id: "a", task: "t", input: 1, startBy: 50 }, 0);
  const running = claimJob(job, { workerId: "w", now: 10, leaseMs: 100 });
  const step = {
    name: "approval",
    kind: "event" as const,
    state: "waiting" as const,
    attempt: 1,
    startedAt: 10,
    until: 1_000,
    event: "order.approved",
    key: "o1",
  };
  const waiting = suspendJob(running, { now: 10, step, ttlMs: 5 });
  assertEquals(
    [waiting.state, waiting.attempts, waiting.runAt, waiting.waitEvent, waiting.waitKey],
    ["waiting", 0, 1_000, "order.approved", "o1"],
  );
  assertEquals([waiting.startBy, waiting.leaseExpiresAt], [undefined, undefined]);
  const canceled = cancelJob(waiting, { now: 20, reason: "no", ttlMs: 5 });
  assertEquals([canceled.state, canceled.waitEvent], ["canceled", undefined]);
  const timedOut = resumeJob(waiting, { now: 1_000, event: null });
  assertEquals([timedOut.state, timedOut.steps?.[0].result, timedOut.waitKey], [
    "queued",
    null,
    undefined,
  ]);
});

Deno.test("a suspension asked to cancel meanwhile ends canceled instead", () => {
  const running = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
    workerId: "w",
    now: 0,
    leaseMs: 100,
  });
  const asked = cancelJob(running, { now: 1, reason: "stop", ttlMs: 5 });
  const step = {
    name: "nap",
    kind: "sleep" as const,
    state: "sleeping" as const,
    attempt: 1,
    startedAt: 2,
    until: 500,
  };
  assertEquals(suspendJob(asked, { now: 2, step, ttlMs: 5 }).state, "canceled");
});
