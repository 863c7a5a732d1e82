import { assert, assertEquals } from "../assert.ts";
import type { Store } from "../../src/store/store.ts";
import { fixture, task, waitForJob } from "./helpers.ts";

/** The store, counting its `jobClaim` calls and the jobs they hand out. */
function countingClaims(store: Store) {
  const claims: number[] = [];
  const counted = new Proxy(store, {
    get(target, name) {
      if (name === "jobClaim") {
        return async (params: Parameters<Store["jobClaim"]>[0]) => {
          const jobs = await target.jobClaim(params);
          if (jobs.length > 0) claims.push(jobs.length);
          return jobs;
        };
      }
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: counted, claims };
}

Deno.test("a small pool of quick handlers claims ahead: big claims, never more handlers than slots", async () => {
  let running = 0;
  let most = 0;
  const quick = task("quick", async () => {
    most = Math.max(most, ++running);
    await Promise.resolve();
    running--;
  });
  await using fx = await fixture([quick]);
  const jobs = [];
  for (let i = 0; i < 300; i++) jobs.push(await fx.enqueue("quick", { i }));
  const { store, claims } = countingClaims(fx.store);
  fx.worker({ store, concurrency: 2 }).start();
  await waitForJob(fx.store, jobs.at(-1)!.id, (j) => j.state === "finished");
  for (const job of jobs) await waitForJob(fx.store, job.id, (j) => j.state === "finished");
  assertEquals(most, 2);
  // Half a pool per claim would be 300 claims of one job each.
  assert(claims.length < 30, `${claims.length} claims: ${claims.join(", ")}`);
});

Deno.test("slow handlers are not claimed ahead: each claim takes at most half the pool", async () => {
  const slow = task("slow", () => new Promise((resolve) => setTimeout(resolve, 30)));
  await using fx = await fixture([slow]);
  const jobs = [];
  for (let i = 0; i < 16; i++) jobs.push(await fx.enqueue("slow", { i }));
  const { store, claims } = countingClaims(fx.store);
  fx.worker({ store, concurrency: 4 }).start();
  for (const job of jobs) await waitForJob(fx.store, job.id, (j) => j.state === "finished");
  assert(claims.every((n) => n <= 2), `claims of ${claims.join(", ")}`);
});

Deno.test("claims wait while two batches of ended jobs are not yet written, and go on once they are", async () => {
  const quick = task("quick", () => Promise.resolve());
  await using fx = await fixture([quick]);
  const jobs = [];
  for (let i = 0; i < 500; i++) jobs.push(await fx.enqueue("quick", { i }));
  const { store: counting, claims } = countingClaims(fx.store);
  const writes = Promise.withResolvers<void>();
  const held = new Proxy(counting, {
    get(target, name) {
      if (name === "jobUpdateMany") {
        return async (params: Parameters<Store["jobUpdateMany"]>[0]) => {
          await writes.promise; // settlements wait here until the test lets them through
          return target.jobUpdateMany(params);
        };
      }
      return Reflect.get(target, name);
    },
  });
  fx.worker({ store: held, concurrency: 2 }).start();
  const claimed = () => claims.reduce((sum, n) => sum + n, 0);
  try {
    // Claiming stops by itself: wait until the count holds still over several looks.
    let last = -1;
    for (let still = 0; still < 5; await new Promise((resolve) => setTimeout(resolve, 50))) {
      still = claimed() === last ? still + 1 : 0;
      last = claimed();
    }
    const batch = fx.store.maxClaimBatch ?? 50;
    // Two batches ended and unwritten, a batch claimed ahead, the claim that crossed the line.
    assert(claimed() <= 4 * batch, `${claimed()} jobs claimed while no settlement was written`);
  } finally {
    writes.resolve(); // else the worker's stop would wait for its settlements forever
  }
  for (const job of jobs) await waitForJob(fx.store, job.id, (j) => j.state === "finished");
});
