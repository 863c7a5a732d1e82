import { Redis } from "ioredis";
import { FakeClock } from "../../src/clock.ts";
import { WakeUps } from "../../src/store/redis/wake_ups.ts";
import { assertEquals } from "../assert.ts";
import { RedisServer } from "./redis_server.ts";

const server = await RedisServer.start();
globalThis.addEventListener("unload", () => server.stopNow());

Deno.test("a Redis wake-up wait ends at its timeout on the store's clock, or at a message for its queue", async () => {
  const clock = new FakeClock();
  const wakeUps = new WakeUps(() => new Redis(server.url), "t:wake", clock);
  const ended: string[] = [];
  const timedOut = wakeUps.wait({ queues: ["mail"], timeoutMs: 1_000 }).then(() =>
    ended.push("timeout")
  );
  const woken = wakeUps.wait({ queues: ["video"], timeoutMs: 60_000 }).then(() =>
    ended.push("message")
  );
  // The subscription wakes every waiter once when it is made; wait again after it.
  await Promise.all([timedOut, woken]);
  ended.length = 0;
  const timeout = wakeUps.wait({ queues: ["mail"], timeoutMs: 1_000 }).then(() =>
    ended.push("timeout")
  );
  const message = wakeUps.wait({ queues: ["video"], timeoutMs: 60_000 }).then(() =>
    ended.push("message")
  );
  clock.advance(1_000);
  await timeout;
  assertEquals(ended, ["timeout"]);
  const publisher = new Redis(server.url);
  await publisher.publish("t:wake", "video");
  await message;
  assertEquals(ended, ["timeout", "message"]);
  assertEquals(clock.pendingSleeps, 0, "an ended wait leaves no timer behind");
  publisher.disconnect();
  wakeUps.close();
});
