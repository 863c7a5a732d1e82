import { FakeClock } from "../../src/clock.ts";
import { PAUSE_REFRESH_MS, pausedQueues, QueuePauses } from "../../src/guards/queue_pauses.ts";
import { assert, assertEquals } from "../assert.ts";
import { MemoryRecords } from "../store/memory_records.ts";

Deno.test("a pause leaves its queue out of this process' claims at once, and a resume lets it back and wakes claimants", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const pauses = QueuePauses.of(store, clock);
  assertEquals(await pauses.filter(["mail", "default"]), ["mail", "default"]);
  await pauses.set({ queue: "mail", paused: true });
  assertEquals(await pauses.filter(["mail", "default"]), ["default"]);
  assertEquals(await pausedQueues(store), ["mail"]);
  assertEquals(store.notified, [], "a pause wakes nobody");
  await pauses.set({ queue: "mail", paused: false });
  assertEquals(await pauses.filter(["mail", "default"]), ["mail", "default"]);
  assertEquals(await pausedQueues(store), []);
  assertEquals(store.notified, [["mail"]]);
});

Deno.test("a pause made elsewhere holds for claimants once PAUSE_REFRESH_MS has passed on the clock", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const here = new QueuePauses(store, clock);
  const elsewhere = new QueuePauses(store, clock); // another process on the same store
  assertEquals(await here.filter(["mail", "default"]), ["mail", "default"]);
  await elsewhere.set({ queue: "mail", paused: true });
  clock.advance(PAUSE_REFRESH_MS - 1);
  assertEquals(await here.filter(["mail", "default"]), ["mail", "default"], "cached");
  clock.advance(1);
  assertEquals(await here.filter(["mail", "default"]), ["default"]);
});

Deno.test("a claimant's view of the pauses reads the store again when the clock is set back", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const here = new QueuePauses(store, clock);
  assertEquals(await here.filter(["mail"]), ["mail"]);
  await new QueuePauses(store, clock).set({ queue: "mail", paused: true });
  clock.advance(-60_000);
  assertEquals(await here.filter(["mail"]), []);
});

Deno.test("QueuePauses.of gives one view per store object", () => {
  const clock = new FakeClock();
  const [a, b] = [new MemoryRecords(clock), new MemoryRecords(clock)];
  assert(QueuePauses.of(a, clock) === QueuePauses.of(a, clock));
  assert(QueuePauses.of(a, clock) !== QueuePauses.of(b, clock));
});
