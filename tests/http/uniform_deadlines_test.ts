import { FakeClock } from "../../src/clock.ts";
import { UniformDeadlines } from "../../src/http/uniform_deadlines.ts";
import { assertEquals } from "../assert.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("deadlines fire in the order armed, each once its length has passed", async () => {
  const clock = new FakeClock();
  const deadlines = new UniformDeadlines(1_000, clock);
  const fired: string[] = [];
  deadlines.arm(() => fired.push("a"));
  clock.advance(400);
  deadlines.arm(() => fired.push("b"));
  assertEquals(clock.pendingSleeps, 1, "one sleep for all of them");
  clock.advance(599);
  await tick();
  assertEquals(fired, []);
  clock.advance(1);
  await tick();
  assertEquals(fired, ["a"]);
  clock.advance(399);
  await tick();
  assertEquals(fired, ["a"]);
  clock.advance(1);
  await tick();
  assertEquals(fired, ["a", "b"]);
  assertEquals(clock.pendingSleeps, 0, "nothing armed, nothing sleeps");
});

Deno.test("a disarmed deadline never fires, and the sweep ends once none is armed", async () => {
  const clock = new FakeClock();
  const deadlines = new UniformDeadlines(1_000, clock);
  const fired: string[] = [];
  const disarmA = deadlines.arm(() => fired.push("a"));
  clock.advance(500);
  const disarmB = deadlines.arm(() => fired.push("b"));
  disarmA();
  disarmB();
  clock.advance(500);
  await tick();
  assertEquals(clock.pendingSleeps, 0);
  clock.advance(10_000);
  await tick();
  assertEquals(fired, []);
  deadlines.arm(() => fired.push("c"));
  clock.advance(1_000);
  await tick();
  assertEquals(fired, ["c"], "armed again after the sweep ended");
});
