/**
 * A claimant in a process of its own, for `redis_claims_test.ts`: connects, prints `ready`,
 * waits for its stdin to close (so all claimants start together), claims batches from the
 * `default` queue of `PREFIX` at `URL` until one comes back empty, then prints the ids it
 * got as a JSON line.
 *
 * @example
 * ```sh
 * deno run --allow-net --allow-env tests/store/redis_claimer.ts redis://127.0.0.1:6379 tq
 * ```
 * @module
 */
import { openRedisStore } from "../../src/store/redis/redis_store.ts";

const [url, prefix] = Deno.args;
const store = await openRedisStore(url, { prefix });
console.log("ready");
await new Response(Deno.stdin.readable).arrayBuffer();
const ids: string[] = [];
for (;;) {
  const jobs = await store.jobClaim({
    queues: ["default"],
    workerId: `claimer-${Deno.pid}`,
    limit: 5,
    leaseMs: 60_000,
    now: Date.now(),
  });
  if (jobs.length === 0) break;
  ids.push(...jobs.map((job) => job.id));
}
store.close();
console.log(JSON.stringify(ids));
