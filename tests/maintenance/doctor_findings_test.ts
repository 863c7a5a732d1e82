/** The doctor's pure rules (`src/maintenance/doctor/findings.ts`), without a store. */
import { assertEquals } from "../assert.ts";
import type { Job } from "../../src/job.ts";
import {
  batchCountsWanted,
  staleLease,
  stuckDependant,
} from "../../src/maintenance/doctor/findings.ts";
import { emptyBatchCounts } from "../../src/store/batches.ts";
import { claimJob, createJob } from "../../src/transitions/mod.ts";

const at = { now: 100, ttlMs: 1_000 };
const make = (id: string, extra: Partial<Job> = {}): Job => ({
  ...createJob({ id, task: "t", input: {} }, 0),
  ...extra,
});
const child = (extra: Partial<Job> = {}) =>
  make("c", { state: "deferred", dependsOn: ["a", "b"], pendingParents: 2, ...extra });

Deno.test("a deferred job whose waiting parents hold it is not stuck", () => {
  const parents = new Map([["a", make("a", { dependants: ["c"] })], [
    "b",
    make("b", { dependants: ["c"] }),
  ]]);
  assertEquals(stuckDependant(child(), parents, at), null);
});

Deno.test("a parent that finished and released it no longer counts", () => {
  const parents = new Map([["a", make("a", { state: "finished", dependants: ["c"] })], [
    "b",
    make("b", { dependants: ["c"] }),
  ]]);
  assertEquals(stuckDependant(child({ pendingParents: 1 }), parents, at), null);
});

Deno.test("a parent gone cancels the job, naming it", () => {
  const parents = new Map<string, Job | null>([["a", null], [
    "b",
    make("b", { dependants: ["c"] }),
  ]]);
  const finding = stuckDependant(child(), parents, at)!;
  assertEquals([finding.kind, finding.fix.state, finding.fix.cancelReason], [
    "parent_gone",
    "canceled",
    "parent a gone",
  ]);
});

Deno.test("a parent that failed without canceling it cancels it too", () => {
  const parents = new Map([["a", make("a", { state: "failed", dependants: ["c"] })], [
    "b",
    make("b", { dependants: ["c"] }),
  ]]);
  assertEquals(stuckDependant(child(), parents, at)?.fix.cancelReason, "parent a failed");
});

Deno.test("a waiting parent that does not list it is linked again, not released", () => {
  const parents = new Map([["a", make("a")], ["b", make("b", { dependants: ["c"] })]]);
  const finding = stuckDependant(child(), parents, at)!;
  assertEquals([finding.kind, finding.job.id, finding.fix.dependants], [
    "parent_unlinked",
    "a",
    ["c"],
  ]);
});

Deno.test("a group member whose predecessor is gone is released", () => {
  const next = make("n", { state: "deferred", group: "g", groupAfter: "h", pendingParents: 1 });
  const finding = stuckDependant(next, new Map([["h", null]]), at)!;
  assertEquals([finding.kind, finding.fix.state, finding.fix.pendingParents], [
    "group_head_gone",
    "queued",
    undefined,
  ]);
});

Deno.test("a lease counts as stale only past the grace, and never for a live worker", () => {
  const job = claimJob(make("s"), { workerId: "w", now: 0, leaseMs: 10 });
  const options = { now: 40, graceMs: 30, ttlMs: 1 };
  assertEquals(staleLease(job, new Set(), { ...options, now: 39 }), null);
  assertEquals(staleLease(job, new Set(["w"]), options), null);
  assertEquals(staleLease(job, new Set(), options)?.fix.state, "scheduled");
});

Deno.test("batch counts: waiting states as the jobs say, ended ones never below them", () => {
  const counts = { ...emptyBatchCounts(), started: 1, finished: 5 };
  const jobs = [make("x", { state: "queued" }), make("y", { state: "finished" })];
  const wanted = batchCountsWanted(counts, jobs)!;
  assertEquals([wanted.queued, wanted.started, wanted.finished], [1, 0, 5]);
  assertEquals(batchCountsWanted(wanted, jobs), null);
});
