/**
 * The worker registry over each real store: a started worker lists itself with its queues
 * (its first beat is written at start), and a stopped one drops out at once.
 */
import { realStores } from "../worker/real_stores.ts";
import { assertEquals } from "../assert.ts";
import { workerList } from "../../src/presence/worker_registry.ts";
import { fixture } from "../worker/helpers.ts";

const backends = await realStores("presence");

for (const [backend, openStore] of backends) {
  Deno.test(`${backend}: a running worker is listed with its queues, and a stopped one is not`, async () => {
    await using fx = await fixture([], openStore);
    const worker = fx.worker({ queues: ["mail", "default"] });
    worker.start();
    let listed = await workerList(fx.store, { now: fx.clock.now() });
    for (let i = 0; listed.length === 0 && i < 200; i++) { // the first beat is on its way
      await new Promise((resolve) => setTimeout(resolve, 25));
      listed = await workerList(fx.store, { now: fx.clock.now() });
    }
    assertEquals(listed.map((w) => w.queues), [["mail", "default"]]);
    await worker.stop();
    assertEquals(await workerList(fx.store, { now: fx.clock.now() }), []);
  });
}
