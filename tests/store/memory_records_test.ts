import { FakeClock } from "../../src/clock.ts";
import { assertEquals } from "../assert.ts";
import { runRecordConformance } from "./conformance_records.ts";
import { runRecordCommitConformance } from "./conformance_record_commit.ts";
import { MemoryRecords, type RecordStore } from "./memory_records.ts";

const onMemory = (name: string, fn: (store: RecordStore) => Promise<void>) =>
  Deno.test(`memory records: ${name}`, () => fn(new MemoryRecords(new FakeClock())));
runRecordConformance(onMemory);
runRecordCommitConformance(onMemory);

Deno.test("memory records: a record past its time to live is neither read nor listed", async () => {
  const clock = new FakeClock();
  const records = new MemoryRecords(clock);
  await records.recordPut({ space: "worker", key: "w", value: 1, ttlMs: 1_000 });
  clock.advance(999);
  assertEquals((await records.recordGet({ space: "worker", key: "w" }))?.value, 1);
  clock.advance(1);
  assertEquals(await records.recordGet({ space: "worker", key: "w" }), null);
  assertEquals(await records.recordList({ space: "worker", limit: 10 }), []);
});
