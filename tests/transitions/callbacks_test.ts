import { assertEquals } from "../assert.ts";
import {
  callbackFailed,
  claimCallback,
  claimJob,
  createJob,
  failAttempt,
  finishJob,
  retryJob,
} from "../../src/transitions/mod.ts";

const URL = "http://127.0.0.1:1/hook";
const running = (callbackUrl?: string) =>
  claimJob(createJob({ id: "a", task: "t", input: 1, maxAttempts: 1, callbackUrl }, 0), {
    workerId: "w",
    now: 1,
    leaseMs: 100,
  });
const failure = { error: { name: "Error", message: "x" }, retryDelayMs: 10, ttlMs: 1_000 };

Deno.test("a job with a callback URL is due for it when it ends, at its end time", () => {
  assertEquals(finishJob(running(URL), { now: 7, result: 1, ttlMs: 10 }).callbackDueAt, 7);
  assertEquals(failAttempt(running(URL), { now: 8, ...failure }).callbackDueAt, 8);
});

Deno.test("a job without a callback URL gets no callback fields", () => {
  const done = finishJob(running(), { now: 7, result: 1, ttlMs: 10 });
  assertEquals(Object.keys(done).filter((key) => key.startsWith("callback")), []);
});

Deno.test("a manual retry drops the pending callback; the next end makes a new one", () => {
  const failed = failAttempt(running(URL), { now: 8, ...failure });
  const tried = claimCallback(failed, { now: 9, leaseMs: 100 });
  const again = retryJob(tried, { now: 20 });
  assertEquals([again.callbackDueAt, again.callbackTries], [undefined, undefined]);
  const rerun = claimJob(again, { workerId: "w", now: 21, leaseMs: 100 });
  const done = finishJob(rerun, { now: 30, result: 1, ttlMs: 10 });
  assertEquals([done.callbackDueAt, done.callbackTries], [30, undefined]);
});

Deno.test("a failed try is due again after the delay until the tries run out", () => {
  const done = finishJob(running(URL), { now: 7, result: 1, ttlMs: 10 });
  const first = claimCallback(done, { now: 7, leaseMs: 100 });
  const later = callbackFailed(first, { now: 9, retryDelayMs: 500, maxTries: 2 });
  assertEquals([later.callbackDueAt, later.callbackOutcome], [509, undefined]);
  const second = claimCallback(later, { now: 509, leaseMs: 100 });
  const over = callbackFailed(second, { now: 510, retryDelayMs: 1_000, maxTries: 2 });
  assertEquals([over.callbackDueAt, over.callbackOutcome], [undefined, "gave_up"]);
});
