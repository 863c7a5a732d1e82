import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { LocalBell } from "../../src/store/kv/local_bell.ts";

Deno.test("a ring another waiter was woken by while this one was away ends this one's next wait at once", async () => {
  const clock = new FakeClock();
  const bell = new LocalBell(clock);
  const first = bell.wait({ since: 0, timeoutMs: 60_000 });
  bell.ring();
  const heard = await first; // then this waiter looks for work
  const idle = bell.wait({ timeoutMs: 60_000 });
  bell.ring(); // heard by the idle waiter
  await idle;
  const next = bell.wait({ since: heard, timeoutMs: 60_000 });
  assertEquals(clock.pendingSleeps, 0, "not asleep");
  assertEquals(await next, heard + 1);
});

Deno.test("a wait given the count it last heard sleeps until a ring or its timeout on the clock", async () => {
  const clock = new FakeClock();
  const bell = new LocalBell(clock);
  const rung = bell.wait({ since: 0, timeoutMs: 60_000 });
  assertEquals(clock.pendingSleeps, 1);
  bell.ring();
  assertEquals(await rung, 1);
  const timed = bell.wait({ since: 1, timeoutMs: 5_000 });
  clock.advance(4_999);
  assertEquals(clock.pendingSleeps, 1);
  clock.advance(1);
  assertEquals(await timed, 1);
});
