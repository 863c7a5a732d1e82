import { FakeClock } from "../../src/clock.ts";
import { PAUSE_REFRESH_MS, PausedQueues } from "../../src/store/paused_queues.ts";
import { assertEquals } from "../assert.ts";

/** A paused list another process changes, and how often it was read. */
function source(names: string[]) {
  const reads = { count: 0 };
  const read = () => {
    reads.count++;
    return Promise.resolve([...names]);
  };
  return { names, reads, read };
}

Deno.test("a pause made elsewhere holds for claimants once PAUSE_REFRESH_MS has passed on the clock", async () => {
  const clock = new FakeClock();
  const { names, reads, read } = source([]);
  const paused = new PausedQueues(read, clock);
  assertEquals(await paused.filter(["mail", "default"]), ["mail", "default"]);
  names.push("mail"); // another process pauses mail
  clock.advance(PAUSE_REFRESH_MS - 1);
  assertEquals(await paused.filter(["mail", "default"]), ["mail", "default"], "cached");
  clock.advance(1);
  assertEquals(await paused.filter(["mail", "default"]), ["default"]);
  assertEquals(reads.count, 2);
});

Deno.test("a paused-queue cache reads again when invalidated or when the clock is set back", async () => {
  const clock = new FakeClock();
  const { names, reads, read } = source(["mail"]);
  const paused = new PausedQueues(read, clock);
  await paused.filter(["mail"]);
  names.length = 0;
  paused.invalidate();
  assertEquals(await paused.filter(["mail"]), ["mail"]);
  names.push("mail");
  clock.advance(-60_000);
  assertEquals(await paused.filter(["mail"]), []);
  assertEquals(reads.count, 3);
});
