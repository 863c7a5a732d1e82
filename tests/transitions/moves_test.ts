import { assert, assertEquals, assertThrows } from "../assert.ts";
import { InvalidStateError } from "../../src/errors.ts";
import { type Job, JOB_STATES, type JobState } from "../../src/job.ts";
import {
  type Action,
  callbackDelivered,
  cancelJob,
  checkMove,
  claimCallback,
  claimJob,
  createJob,
  debounceJob,
  deferJob,
  expireJob,
  extendLease,
  failAttempt,
  finishJob,
  MOVES,
  promoteJob,
  recordStep,
  releaseJob,
  reportProgress,
  resumeJob,
  retryJob,
  runJobNow,
  suspendJob,
  waitForParents,
  waitInLane,
} from "../../src/transitions/mod.ts";

/** A record in `state`, with the fields a job in that state carries. */
function inState(state: JobState): Job {
  const job = createJob({ id: "j", task: "t", input: 1, callbackUrl: "http://x/cb" }, 0);
  return { ...job, state, pendingParents: 1, callbackDueAt: 5, leaseExpiresAt: 10 };
}

const step = {
  name: "s",
  kind: "run" as const,
  state: "finished" as const,
  attempt: 1,
  startedAt: 0,
};
const sleep = {
  name: "z",
  kind: "sleep" as const,
  state: "sleeping" as const,
  attempt: 1,
  startedAt: 0,
  until: 50,
};

/**
 * Each action of the table, made by the transition that performs it. `loseParent` is left
 * out: `parentSettled` leaves a job that no longer waits alone by design (dependants_test).
 */
const PERFORM: Record<Exclude<Action, "loseParent">, (job: Job) => Job> = {
  claim: (job) => claimJob(job, { workerId: "w", now: 1, leaseMs: 10 }),
  extendLease: (job) => extendLease(job, { now: 1, leaseMs: 10 }),
  reportProgress: (job) => reportProgress(job, { progress: 5 }),
  finish: (job) => finishJob(job, { now: 1, result: 1, ttlMs: 10 }),
  fail: (job) =>
    failAttempt(job, { now: 1, error: { name: "E", message: "m" }, retryDelayMs: 1, ttlMs: 1 }),
  release: (job) => releaseJob(job, { now: 1, ttlMs: 1 }),
  defer: (job) => deferJob(job, { now: 1, runAt: 9, ttlMs: 1 }),
  recordStep: (job) => recordStep(job, { step }),
  suspend: (job) => suspendJob(job, { now: 1, step: sleep, ttlMs: 1 }),
  resume: (job) => resumeJob(job, { now: 1, event: null }),
  promote: (job) => promoteJob(job),
  runNow: (job) => runJobNow(job, { now: 1 }),
  debounce: (job) => debounceJob(job, { now: 1, input: 2, runAt: 9 }),
  expire: (job) => expireJob(job, { now: 1, ttlMs: 1 }),
  cancel: (job) => cancelJob(job, { now: 1, reason: "r", ttlMs: 1 }),
  retry: (job) => retryJob(job, { now: 1 }),
  waitInLane: (job) => waitInLane(job, "before"),
  waitForParents: (job) => waitForParents(job, { pending: 0, now: 1 }),
  claimCallback: (job) => claimCallback(job, { now: 1, leaseMs: 10 }),
  settleCallback: (job) => callbackDelivered(job),
};

Deno.test("every transition is allowed exactly from the states its row of the table names", () => {
  for (const [action, perform] of Object.entries(PERFORM) as [Action, (job: Job) => Job][]) {
    const row = MOVES[action];
    for (const state of JOB_STATES) {
      const job = inState(state);
      if (!(row.from as readonly JobState[]).includes(state)) {
        const error = assertThrows(() => perform(job), InvalidStateError);
        assertEquals(error.state, state, `${action} from ${state}`);
        continue;
      }
      const after = perform(job);
      assert(
        (row.to as readonly JobState[]).includes(after.state),
        `${action} moved ${state} to ${after.state}, outside its row`,
      );
    }
  }
});

Deno.test("a move to a state its row does not lead to is refused", () => {
  const job = inState("scheduled");
  const error = assertThrows(() => checkMove(job, "promote", "failed"), RangeError);
  assert(error.message.includes("from scheduled to failed"), error.message);
  checkMove(job, "promote", "queued");
});

Deno.test("a refusal names the job, its state and what was asked", () => {
  const error = assertThrows(() => retryJob(inState("queued"), { now: 1 }), InvalidStateError);
  assertEquals(error.message, 'cannot retry job "j": it is queued');
});

Deno.test("only moves into a terminal state make a callback due", () => {
  const waiting = createJob({ id: "j", task: "t", input: 1, callbackUrl: "http://x/cb" }, 0);
  const running = claimJob(waiting, { workerId: "w", now: 1, leaseMs: 10 });
  assertEquals(running.callbackDueAt, undefined);
  const canceled = cancelJob(waiting, { now: 3, reason: "r", ttlMs: 10 });
  assertEquals(canceled.callbackDueAt, 3);
});
