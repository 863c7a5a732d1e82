import { assertEquals } from "../assert.ts";
import type { Job } from "../../src/job.ts";
import {
  createJob,
  debounceJob,
  parentSettled,
  waitForParents,
  waitInLane,
} from "../../src/transitions/mod.ts";

const child = (runAt?: number) =>
  createJob({ id: "c", task: "t", input: 1, dependsOn: ["p", "q"], runAt }, 0);
const parent = (id: string, state: Job["state"], expiresAt?: number): Job => ({
  ...createJob({ id, task: "t", input: 1 }, 0),
  state,
  expiresAt,
});

Deno.test("a child waits for every parent and is queued when the last one finishes", () => {
  const once = parentSettled(child(), parent("p", "finished"), 5);
  assertEquals([once.state, once.pendingParents, once.version], ["deferred", 1, 2]);
  const twice = parentSettled(once, parent("q", "finished"), 6);
  assertEquals([twice.state, twice.runAt, twice.version], ["queued", 6, 3]);
  assertEquals("pendingParents" in twice, false);
});

Deno.test("a released child whose start lies ahead is scheduled for it", () => {
  const released = waitForParents(child(100), { pending: 0, now: 5 });
  assertEquals([released.state, released.runAt], ["scheduled", 100]);
});

Deno.test("a lost parent cancels its child for as long as the parent is kept", () => {
  const canceled = parentSettled(child(), parent("p", "canceled", 900), 5);
  assertEquals(
    [canceled.state, canceled.cancelReason, canceled.endedAt, canceled.expiresAt],
    ["canceled", "parent p canceled", 5, 900],
  );
});

Deno.test("a child that is no longer deferred is left as it is", () => {
  const gone = { ...child(), state: "canceled" as const };
  assertEquals(parentSettled(gone, parent("p", "finished"), 5), gone);
});

Deno.test("the next job of a lane goes on however the one before it ended", () => {
  const next = waitInLane(createJob({ id: "b", task: "t", input: 1, group: "g" }, 0), "a");
  assertEquals([next.state, next.groupAfter, next.pendingParents, next.version], [
    "deferred",
    "a",
    1,
    1,
  ]);
  assertEquals(parentSettled(next, parent("a", "failed"), 5).state, "queued");
});

Deno.test("a debounced enqueue moves the waiting job's start and input", () => {
  const waiting = createJob({ id: "a", task: "t", input: 1, runAt: 100 }, 0);
  const moved = debounceJob(waiting, { now: 50, input: 2, runAt: 40 });
  assertEquals([moved.state, moved.input, moved.runAt, moved.version], ["queued", 2, 40, 2]);
});
