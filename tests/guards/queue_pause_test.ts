import { realStores } from "../worker/real_stores.ts";
import { assertEquals } from "../assert.ts";
import { fixture, task, waitForJob } from "../worker/helpers.ts";
import { createApp } from "../../src/http/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { PAUSE_REFRESH_MS, QueuePauses } from "../../src/guards/queue_pauses.ts";
import type { Store } from "../../src/store/store.ts";

const backends = await realStores("pause");

for (const [backend, openStore] of backends) {
  Deno.test(`${backend}: a paused queue keeps its jobs waiting until it is resumed over HTTP`, async () => {
    await using fx = await fixture([task("t", () => "done", { queue: "videos" })], openStore);
    const producer = new Producer({ store: fx.store, registry: fx.registry, clock: fx.clock });
    const app = createApp({ producer, ...fx, logger: silentLogger });
    const paused = await app.request("/queues/videos/pause", { method: "POST" });
    assertEquals(await paused.json(), { name: "videos", paused: true });
    fx.worker({ queues: ["videos"] }).start();
    const job = await fx.enqueue("t", {});
    assertEquals(job.state, "queued", "producers can still enqueue");
    // Past the claimants' refresh of the paused list, claimants still leave the queue out.
    fx.clock.advance(PAUSE_REFRESH_MS);
    assertEquals(await QueuePauses.of(fx.store, fx.clock).filter(["videos"]), []);
    assertEquals((await fx.store.jobGet(job.id))?.state, "queued", "no worker claimed it");
    const resumed = await app.request("/queues/videos/resume", { method: "POST" });
    assertEquals(await resumed.json(), { name: "videos", paused: false });
    await waitForJob(fx.store, job.id, (j) => j.state === "finished", "the job to run");
  });
}

Deno.test("pausing a queue with a bad name is a 422 naming the field", async () => {
  await using fx = await fixture([]);
  const producer = new Producer({ store: fx.store, registry: fx.registry, clock: fx.clock });
  const app = createApp({ producer, ...fx, logger: silentLogger });
  const res = await app.request("/queues/no%20spaces/pause", { method: "POST" });
  assertEquals(res.status, 422);
  assertEquals((await res.json()).error.issues[0].path, "name");
});

Deno.test("an idle worker serving a paused queue looks at the pauses again every PAUSE_REFRESH_MS", async () => {
  await using fx = await fixture([task("t", () => "done", { queue: "videos" })]);
  const firstWait = Promise.withResolvers<number>();
  const store = new Proxy(fx.store, {
    get(target, name) {
      if (name === "workWait") {
        return (params: Parameters<Store["workWait"]>[0]) => {
          firstWait.resolve(params.timeoutMs);
          return target.workWait(params);
        };
      }
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  await QueuePauses.of(store, fx.clock).set({ queue: "videos", paused: true });
  fx.worker({ store, queues: ["videos", "mail"] }).start();
  assertEquals(
    await firstWait.promise,
    PAUSE_REFRESH_MS,
    "a resume elsewhere reaches it within that time",
  );
});
