/**
 * Expiry: a job not started by its `startBy` (`expires_in` / `expires_at`) never runs and
 * ends `canceled` with reason `expired`, whether a worker claims it, the promoter would
 * queue it, or it waits in a queue no worker serves (the sweeper). Real workers on a fake
 * clock, on a KV file and on a real redis-server.
 */
import type { RealStore } from "./real_stores.ts";
import { statDeltas } from "../../src/metrics/stat_deltas.ts";
import { assertEquals } from "../assert.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import type { Job } from "../../src/job.ts";
import { SWEEP_PAGE_MS } from "../../src/maintenance/expiry_sweeper.ts";
import { advance, fixture, gate, task, waitForHeard, waitForJob } from "./helpers.ts";
import { RedisServer } from "../store/redis_server.ts";

const server = await RedisServer.start();
globalThis.addEventListener("unload", () => server.stopNow());

let prefixes = 0;
const backends: RealStore[] = [
  ["kv", undefined],
  [
    "redis",
    (clock, onJobsWritten) =>
      openRedisStore(server.url, { prefix: `expiry${++prefixes}`, clock, onJobsWritten }),
  ],
];

const expired = (job: Job) => job.state === "canceled";

for (const [backend, openStore] of backends) {
  Deno.test(`${backend}: a job claimed after its expiry is canceled as expired and never runs`, async () => {
    let runs = 0;
    await using fx = await fixture([task("send", () => ++runs)], openStore);
    const { id } = await fx.enqueue("send", {}, { expiresIn: 1_000 });
    fx.clock.advance(1_001); // no worker yet: nothing claims it in time
    fx.worker().start();
    const job = await waitForHeard(fx, id, expired, "expired");
    assertEquals([job.cancelReason, job.attempts, runs], ["expired", 0, 0]);
    const stats = fx.written.flatMap((c) => statDeltas(c.before, c.after));
    const count = (event: string) =>
      stats.filter((s) => s.key[0] === "jobs" && s.key[1] === event)
        .reduce((sum, s) => sum + s.value, 0);
    // Claimed (a start is counted), then canceled before the handler ran.
    assertEquals([count("started"), count("expired"), count("canceled")], [1, 1, 1]);
  });

  Deno.test(`${backend}: a scheduled job due after its expiry is canceled by the promoter`, async () => {
    let runs = 0;
    await using fx = await fixture([task("send", () => ++runs)], openStore);
    fx.worker().start();
    const at = fx.clock.now() + 1_500;
    const { id } = await fx.enqueue("send", {}, { delay: 1_000, expiresAt: at });
    await advance(fx.clock, 2_000);
    const job = await waitForJob(fx.store, id, expired, "expired");
    assertEquals([job.cancelReason, job.startBy, runs], ["expired", at, 0]);
  });

  Deno.test(`${backend}: a waiting job in a queue no worker serves is swept once expired`, async () => {
    await using fx = await fixture([task("send", () => null)], openStore);
    fx.worker({ queues: ["other"] }).start();
    const { id } = await fx.enqueue("send", {}, { queue: "lonely", expiresIn: 500 });
    let job = await fx.store.jobGet(id);
    for (let i = 0; i < 60 && job?.state === "queued"; i++) {
      await advance(fx.clock, SWEEP_PAGE_MS);
      job = await fx.store.jobGet(id);
    }
    assertEquals([job?.state, job?.cancelReason], ["canceled", "expired"]);
  });

  Deno.test(`${backend}: a job started before its expiry runs to the end`, async () => {
    const [began, open] = [gate(), gate()];
    await using fx = await fixture([task("send", () => {
      began.open();
      return open.promise.then(() => "ok");
    })], openStore);
    fx.worker().start();
    const { id } = await fx.enqueue("send", {}, { expiresIn: 1_000 });
    // The handler, not only the claim: a claimed job whose start is late past its expiry
    // (fake time moved on before the worker got to it) is expired, not run.
    await began.promise;
    await advance(fx.clock, 5_000);
    open.open();
    const job = await waitForJob(fx.store, id, (j) => j.state === "finished", "finished");
    assertEquals([job.result, job.attempts], ["ok", 1]);
  });
}
