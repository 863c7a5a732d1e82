/**
 * The update scripts' arguments as appended in place: the same fields a per-job map and
 * arrays gave, in the same order.
 */
import { assertEquals } from "../assert.ts";
import { pushChanges } from "../../src/store/redis/record.ts";
import { claimJob, createJob, finishJob } from "../../src/transitions/mod.ts";

Deno.test("a finished job's changes append after what the array held", () => {
  const queued = { ...createJob({ id: "a", task: "t", input: {} }, 5), batchId: "b" };
  const started = claimJob(queued, { workerId: "w", now: 40, leaseMs: 1_000 });
  const done = { ...finishJob(started, { now: 90, result: 1, ttlMs: 1 }), batchId: undefined };
  const out = pushChanges(["a"], started, done);
  const set = out.slice(2, 2 + 2 * Number(out[1]));
  assertEquals(out[0], "a");
  assertEquals(set.filter((_, i) => i % 2 === 0), ["version", "expiresAt", "state", "d"]);
  const rest = out.slice(2 + set.length);
  assertEquals(rest, ["2", "leaseExpiresAt", "batchId"]);
});
