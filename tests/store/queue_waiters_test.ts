import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { QueueWaiters } from "../../src/store/queue_waiters.ts";

/** Whether `promise` has settled once pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

Deno.test("a notification for a queue nobody waits on ends the next wait on that queue at once", async () => {
  const waiters = new QueueWaiters(new FakeClock());
  waiters.wake("mail");
  assertEquals(await settled(waiters.wait({ queues: ["mail"], timeoutMs: 60_000 })), true);
  // Heard once: the wait after it sleeps until its own notification or timeout.
  assertEquals(await settled(waiters.wait({ queues: ["mail"], timeoutMs: 60_000 })), false);
});

Deno.test("a kept notification ends only waits on its own queue", async () => {
  const clock = new FakeClock();
  const waiters = new QueueWaiters(clock);
  waiters.wake("mail");
  const other = waiters.wait({ queues: ["video"], timeoutMs: 1_000 });
  assertEquals(await settled(other), false);
  clock.advance(1_000);
  assertEquals(await settled(other), true);
});

Deno.test("a waiter woken for its queue, or at its timeout on the clock, resolves", async () => {
  const clock = new FakeClock();
  const waiters = new QueueWaiters(clock);
  const woken = waiters.wait({ queues: ["a", "b"], timeoutMs: 60_000 });
  waiters.wake("b");
  assertEquals(await settled(woken), true);
  const timed = waiters.wait({ queues: ["a"], timeoutMs: 5_000 });
  clock.advance(4_999);
  assertEquals(await settled(timed), false);
  clock.advance(1);
  assertEquals(await settled(timed), true);
});
