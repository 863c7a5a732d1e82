/**
 * Deferral from a handler: `RateLimitedError` puts the job back without using an attempt,
 * and with `pauseTask` holds the task's other jobs in every worker. Real workers on a fake
 * clock, on a KV file, a real redis-server and a real PostgreSQL.
 */
import { statDeltas } from "../../src/metrics/stat_deltas.ts";
import { realStores } from "./real_stores.ts";
import { assert, assertEquals } from "../assert.ts";
import { RateLimitedError } from "../../src/errors.ts";
import { createLogger } from "../../src/log.ts";
import { advance, fixture, task, waitForHeard, waitForJob } from "./helpers.ts";

const backends = await realStores("defer");

for (const [backend, openStore] of backends) {
  Deno.test(`${backend}: a job of max_attempts 1 deferred twice finishes on its third run`, async () => {
    let runs = 0;
    const call = task("call", () => {
      if (++runs <= 2) throw new RateLimitedError(1_000);
      return "ok";
    }, { retry: { maxAttempts: 1 } });
    await using fx = await fixture([call], openStore);
    const lines: string[] = [];
    fx.worker({ logger: createLogger({ format: "json", write: (line) => lines.push(line) }) })
      .start();
    const { id } = await fx.enqueue("call", {});
    for (const deferrals of [1, 2]) {
      const put = await waitForJob(fx.store, id, (j) => j.deferrals === deferrals, "deferral");
      assertEquals([put.state, put.attempts, put.errors], ["scheduled", 0, []]);
      assertEquals(put.runAt, fx.clock.now() + 1_000);
      await advance(fx.clock, 1_000);
    }
    const done = await waitForJob(fx.store, id, (j) => j.state === "finished", "finished");
    assertEquals([done.result, done.attempts, done.deferrals, runs], ["ok", 1, 2, 3]);
    const events = lines.map((line) => JSON.parse(line).event);
    assertEquals(events.filter((event) => event === "job:deferred").length, 2);
    assertEquals(events.filter((event) => event === "job:retried").length, 0);
  });

  Deno.test(`${backend}: pauseTask holds the task's other jobs in another worker until the time`, async () => {
    let runs = 0;
    const send = task("send", () => {
      if (++runs === 1) throw new RateLimitedError(5_000, { pauseTask: true });
      return "sent";
    });
    const other = task("other", () => "done");
    await using fx = await fixture([send, other], openStore);
    const first = fx.worker();
    first.start();
    const a = await fx.enqueue("send", {});
    const deferred = await waitForJob(fx.store, a.id, (j) => j.deferrals === 1, "deferral");
    await first.stop();
    fx.worker().start(); // a worker that has seen nothing of the hold but the store's record
    const b = await fx.enqueue("send", {});
    const c = await fx.enqueue("other", {});
    await waitForJob(fx.store, c.id, (j) => j.state === "finished", "other task runs");
    const held = await waitForJob(fx.store, b.id, (j) => j.deferrals === 1, "held sibling");
    assertEquals([held.state, held.attempts, held.runAt], ["scheduled", 0, deferred.runAt]);
    assertEquals(runs, 1);
    await advance(fx.clock, 5_000);
    for (const id of [a.id, b.id]) {
      await waitForJob(fx.store, id, (j) => j.state === "finished", "finished after the hold");
    }
    assertEquals(runs, 3);
  });

  Deno.test(`${backend}: a deferral is counted in deferred_total, not retried_total`, async () => {
    let runs = 0;
    const call = task("call", () => {
      if (++runs === 1) throw new RateLimitedError(10);
      return null;
    });
    await using fx = await fixture([call], openStore);
    fx.worker().start();
    const { id } = await fx.enqueue("call", {});
    await waitForHeard(fx, id, (j) => j.deferrals === 1, "deferral");
    const stats = fx.written.flatMap((c) => statDeltas(c.before, c.after));
    const count = (event: string) =>
      stats.filter((s) => s.key[0] === "jobs" && s.key[1] === event)
        .reduce((sum, s) => sum + s.value, 0);
    assertEquals([count("deferred"), count("retried")], [1, 0]);
    assert(count("started") >= 1);
  });
}
