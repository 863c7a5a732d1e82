import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { QUEUES_REMEMBERED, QueueWaiters } from "../../src/store/queue_waiters.ts";

/** A count of news the claimant heard at the end of its last wait, after one notification. */
async function heardOnce(waiters: QueueWaiters, queue: string): Promise<number> {
  const waiting = waiters.wait({ queues: [queue], since: 0, timeoutMs: 60_000 });
  waiters.wake(queue);
  return await waiting;
}

Deno.test("a notification another claimant was woken by while this one claimed ends this one's next wait at once", async () => {
  const clock = new FakeClock();
  const waiters = new QueueWaiters(clock);
  const heard = await heardOnce(waiters, "mail"); // then this claimant claims
  const idle = waiters.wait({ queues: ["mail"], timeoutMs: 60_000 });
  waiters.wake("mail"); // heard by the idle claimant
  await idle;
  const next = waiters.wait({ queues: ["mail"], since: heard, timeoutMs: 60_000 });
  assertEquals(clock.pendingSleeps, 0, "not asleep");
  assertEquals(await next, heard + 1);
});

Deno.test("a notification for a queue nobody waits on ends the next wait given an earlier count", async () => {
  const clock = new FakeClock();
  const waiters = new QueueWaiters(clock);
  waiters.wake("mail");
  assertEquals(await waiters.wait({ queues: ["mail"], since: 0, timeoutMs: 60_000 }), 1);
  // Heard: the wait given that count sleeps until its own notification or timeout.
  const next = waiters.wait({ queues: ["mail"], since: 1, timeoutMs: 60_000 });
  assertEquals(clock.pendingSleeps, 1);
  waiters.wake("mail");
  assertEquals(await next, 2);
});

Deno.test("a notification heard before a wait ends only waits on its own queue", async () => {
  const clock = new FakeClock();
  const waiters = new QueueWaiters(clock);
  waiters.wake("mail");
  const other = waiters.wait({ queues: ["video"], since: 0, timeoutMs: 1_000 });
  assertEquals(clock.pendingSleeps, 1);
  clock.advance(1_000);
  await other;
  assertEquals(clock.pendingSleeps, 0);
});

Deno.test("a wait without a count hears only notifications from the call on", async () => {
  const clock = new FakeClock();
  const waiters = new QueueWaiters(clock);
  waiters.wake("mail");
  const waiting = waiters.wait({ queues: ["mail"], timeoutMs: 60_000 });
  assertEquals(clock.pendingSleeps, 1);
  waiters.wakeAll();
  await waiting;
});

Deno.test("past the queues remembered, a wait given an earlier count ends at once", async () => {
  const waiters = new QueueWaiters(new FakeClock());
  const heard = await heardOnce(waiters, "mail");
  for (let i = 0; i < QUEUES_REMEMBERED; i++) waiters.wake(`tenant_${i}`);
  // "mail" had no news, but its count was forgotten among the others: look again.
  await waiters.wait({ queues: ["mail"], since: heard, timeoutMs: 60_000 });
});

Deno.test("a waiter woken for its queue, or at its timeout on the clock, resolves", async () => {
  const clock = new FakeClock();
  const waiters = new QueueWaiters(clock);
  const woken = waiters.wait({ queues: ["a", "b"], timeoutMs: 60_000 });
  waiters.wake("b");
  await woken;
  const timed = waiters.wait({ queues: ["a"], timeoutMs: 5_000 });
  clock.advance(4_999);
  assertEquals(clock.pendingSleeps, 1);
  clock.advance(1);
  await timed;
  assertEquals(clock.pendingSleeps, 0);
});
