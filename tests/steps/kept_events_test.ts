/**
 * Events kept as keyed records (`src/steps/kept_events.ts`), on the in-memory records: the
 * conformance suite (`tests/store/conformance_events.ts`) runs the same on every real store.
 */
import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { newJobId } from "../../src/ids.ts";
import { type EventRecord, keepEvent, keptEvents } from "../../src/steps/kept_events.ts";
import { MemoryRecords } from "../store/memory_records.ts";

const DAY_MS = 86_400_000;

function sent(name: string, key: string, sentAt: number): EventRecord {
  return { id: newJobId(sentAt), name, key, data: { sentAt }, sentAt };
}

Deno.test("kept events list oldest first by time, not by the order they were kept", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const t0 = clock.now();
  const late = sent("paid", "o1", t0 + 10_000);
  const early = sent("paid", "o1", t0 + 9);
  const same = sent("paid", "o1", t0 + 9);
  for (const event of [late, same, early]) await keepEvent(store, { event, ttlMs: DAY_MS });
  const listed = await keptEvents(store, { name: "paid", key: "o1", since: t0, limit: 10 });
  assertEquals(listed, [early, same].sort((a, b) => a.id < b.id ? -1 : 1).concat([late]));
  assertEquals(await keptEvents(store, { name: "paid", key: "o1", since: t0 + 10, limit: 10 }), [
    late,
  ]);
  assertEquals(
    (await keptEvents(store, { name: "paid", key: "o1", since: t0, limit: 2 })).length,
    2,
  );
});

Deno.test("a name and key never read the events of another whose text they begin", async () => {
  const store = new MemoryRecords(new FakeClock());
  const t0 = Date.UTC(2026, 0, 1);
  const pairs: [string, string][] = [["a", "b"], ["a", "bc"], ["ab", ""], ["a", ""], ['a"', "b"]];
  for (const [name, key] of pairs) {
    await keepEvent(store, { event: sent(name, key, t0), ttlMs: DAY_MS });
  }
  for (const [name, key] of pairs) {
    const listed = await keptEvents(store, { name, key, since: 0, limit: 10 });
    assertEquals(listed.map((e) => [e.name, e.key]), [[name, key]]);
  }
});

Deno.test("a kept event is gone once its time to keep it has passed", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const event = sent("paid", "", clock.now());
  await keepEvent(store, { event, ttlMs: DAY_MS });
  clock.advance(DAY_MS - 1);
  assertEquals(await keptEvents(store, { name: "paid", key: "", since: 0, limit: 10 }), [event]);
  clock.advance(1);
  assertEquals(await keptEvents(store, { name: "paid", key: "", since: 0, limit: 10 }), []);
});
