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
