import { FakeClock } from "../../src/clock.ts";
import { type HoldStore, taskHold, taskHoldList, TaskHolds } from "../../src/guards/task_holds.ts";
import { assertEquals } from "../assert.ts";
import { MemoryRecords } from "../store/memory_records.ts";

const byTask = (a: { task: string }, b: { task: string }) => a.task.localeCompare(b.task);

Deno.test("a task hold lasts until its end, and one ending earlier changes nothing", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const now = clock.now();
  assertEquals(await taskHoldList(store, { now }), []);
  await taskHold(store, { task: "send", until: now + 5_000, now });
  await taskHold(store, { task: "send", until: now + 1_000, now });
  await taskHold(store, { task: "mail", until: now + 2_000, now });
  assertEquals((await taskHoldList(store, { now })).sort(byTask), [
    { task: "mail", until: now + 2_000 },
    { task: "send", until: now + 5_000 },
  ]);
  assertEquals(await taskHoldList(store, { now: now + 2_000 }), [
    { task: "send", until: now + 5_000 },
  ]);
  await taskHold(store, { task: "send", until: now + 9_000, now });
  assertEquals(await taskHoldList(store, { now: now + 5_000 }), [
    { task: "send", until: now + 9_000 },
  ]);
});

Deno.test("of two holds racing on one task, the later-ending one stays", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const now = clock.now();
  // The longer hold is written between the shorter one's read and its write.
  let raced = false;
  const racing: HoldStore = {
    recordGet: async (address) => {
      const read = await store.recordGet(address);
      if (!raced) {
        raced = true;
        await taskHold(store, { task: "send", until: now + 9_000, now });
      }
      return read;
    },
    recordPut: (params) => store.recordPut(params),
    recordList: (params) => store.recordList(params),
  };
  await taskHold(racing, { task: "send", until: now + 5_000, now });
  assertEquals(raced, true);
  assertEquals(await taskHoldList(store, { now }), [{ task: "send", until: now + 9_000 }]);
});

Deno.test("a worker sees its own hold at once; another sees it at its next read of the holds", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const mine = new TaskHolds(store, clock);
  const theirs = new TaskHolds(store, clock);
  const now = clock.now();
  assertEquals(await theirs.heldUntil("send", now), null); // read and cached
  await mine.hold("send", now + 30_000);
  assertEquals(await mine.heldUntil("send", now), now + 30_000);
  assertEquals(await theirs.heldUntil("send", now), null, "cached for HOLD_REFRESH_MS");
  const fresh = new TaskHolds(store, clock); // as one past its refresh reads
  assertEquals(await fresh.heldUntil("send", now), now + 30_000);
  assertEquals(await fresh.heldUntil("send", now + 30_000), null, "over at its end");
});
