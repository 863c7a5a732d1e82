import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { Deadlines } from "../../src/worker/deadlines.ts";

/** Lets the sleep that `advance` resolved run its callback. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup() {
  const clock = new FakeClock(0);
  const expired: string[] = [];
  return { clock, expired, deadlines: new Deadlines<string>(clock, (item) => expired.push(item)) };
}

Deno.test("Deadlines expires each item once its time is up, and not before", async () => {
  const { clock, expired, deadlines } = setup();
  deadlines.add("a", 1_000);
  deadlines.add("b", 3_000);
  clock.advance(999);
  await settle();
  assertEquals(expired, []);
  clock.advance(1);
  await settle();
  assertEquals(expired, ["a"]);
  clock.advance(2_000);
  await settle();
  assertEquals(expired, ["a", "b"]);
  assertEquals(clock.pendingSleeps, 0);
});

Deno.test("Deadlines never expires a deleted item, and holds no timer once the armed one ran out", async () => {
  const { clock, expired, deadlines } = setup();
  deadlines.add("a", 1_000);
  deadlines.add("b", 2_000);
  deadlines.delete("a");
  assertEquals(clock.pendingSleeps, 1);
  clock.advance(1_000);
  await settle();
  assertEquals(expired, []);
  deadlines.delete("b");
  clock.advance(5_000);
  await settle();
  assertEquals(expired, []);
  assertEquals(clock.pendingSleeps, 0);
});

Deno.test("Deadlines arms no new timer for items that come and go before the armed one", async () => {
  const { clock, expired, deadlines } = setup();
  for (let job = 0; job < 100; job++) {
    deadlines.add(`job ${job}`, 1_000);
    deadlines.delete(`job ${job}`);
  }
  assertEquals(clock.pendingSleeps, 1);
  deadlines.add("slow", 1_000);
  clock.advance(1_000);
  await settle();
  assertEquals(expired, ["slow"]);
  assertEquals(clock.pendingSleeps, 0);
});

Deno.test("Deadlines.stop() lets go of the timer, and a later item arms a new one", async () => {
  const { clock, expired, deadlines } = setup();
  deadlines.add("a", 1_000);
  deadlines.delete("a");
  deadlines.stop();
  assertEquals(clock.pendingSleeps, 0);
  deadlines.add("b", 1_000);
  clock.advance(1_000);
  await settle();
  assertEquals(expired, ["b"]);
});

Deno.test("Deadlines wakes for an item added with an earlier deadline than the armed one", async () => {
  const { clock, expired, deadlines } = setup();
  deadlines.add("long", 10_000);
  deadlines.add("short", 100);
  clock.advance(100);
  await settle();
  assertEquals(expired, ["short"]);
  clock.advance(9_900);
  await settle();
  assertEquals(expired, ["short", "long"]);
});
