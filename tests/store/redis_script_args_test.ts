/**
 * The update scripts' arguments as appended in place: the same fields and sums a
 * per-job map and arrays gave, in the same order.
 */
import { assertEquals } from "../assert.ts";
import { pushChanges } from "../../src/store/redis/record.ts";
import { pushStatArgs, statArgs } from "../../src/store/redis/telemetry.ts";
import { statDeltas } from "../../src/metrics/stat_deltas.ts";
import { claimJob, createJob, finishJob } from "../../src/transitions/mod.ts";

Deno.test("statistic arguments sum a repeated key once, in the order keys first appear", () => {
  const a = ["jobs", "enqueued", "q", "t"];
  const b = ["jobs", "enqueued", "q", "u"];
  const deltas = [{ key: a, value: 1 }, { key: b, value: 1 }, { key: a, value: 2 }];
  assertEquals(statArgs(deltas), ["2", JSON.stringify(a), "3", JSON.stringify(b), "1"]);
  assertEquals(pushStatArgs(["id"], []), ["id", "0"]);
});

Deno.test("a finished job's changes and statistics append after what the array held", () => {
  const queued = { ...createJob({ id: "a", task: "t", input: {} }, 5), batchId: "b" };
  const started = claimJob(queued, { workerId: "w", now: 40, leaseMs: 1_000 });
  const done = { ...finishJob(started, { now: 90, result: 1, ttlMs: 1 }), batchId: undefined };
  const out = pushStatArgs(pushChanges(["a"], started, done), statDeltas(started, done));
  const set = out.slice(2, 2 + 2 * Number(out[1]));
  assertEquals(out[0], "a");
  assertEquals(set.filter((_, i) => i % 2 === 0), ["version", "expiresAt", "state", "d"]);
  const rest = out.slice(2 + set.length);
  assertEquals(rest.slice(0, 3), ["2", "leaseExpiresAt", "batchId"]);
  assertEquals(rest[3], "4");
  assertEquals(rest.slice(4).filter((_, i) => i % 2 === 0).map((f) => JSON.parse(f)[0]), [
    "jobs",
    "hist",
    "hist_ms",
    "minute",
  ]);
});
