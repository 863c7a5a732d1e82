import { FakeClock } from "../../src/clock.ts";
import {
  workerBeat,
  workerList,
  type WorkerRecord,
  workerRemove,
} from "../../src/presence/worker_registry.ts";
import { assertEquals } from "../assert.ts";
import { MemoryRecords } from "../store/memory_records.ts";

const T0 = Date.UTC(2026, 0, 1);

function worker(id: string, beatAt: number, ttlMs: number): WorkerRecord {
  return {
    id,
    host: "h",
    pid: 1,
    concurrency: 4,
    queues: ["default"],
    runningJobIds: [],
    running: 0,
    startedAt: T0,
    lastHeartbeatAt: beatAt,
    expiresAt: beatAt + ttlMs,
  };
}

Deno.test("a worker's beat lists it by id until its expiry, and removal forgets it", async () => {
  const store = new MemoryRecords(new FakeClock(T0));
  await workerBeat(store, { worker: worker("w2", T0 + 5_000, 15_000), ttlMs: 15_000 });
  await workerBeat(store, { worker: worker("w1", T0, 15_000), ttlMs: 15_000 });
  assertEquals((await workerList(store, { now: T0 + 1 })).map((w) => w.id), ["w1", "w2"]);
  assertEquals((await workerList(store, { now: T0 + 15_000 })).map((w) => w.id), ["w2"]);
  await workerRemove(store, { id: "w2" });
  assertEquals(await workerList(store, { now: T0 + 1 }), [worker("w1", T0, 15_000)]);
});

Deno.test("a worker's new beat replaces its last one", async () => {
  const store = new MemoryRecords(new FakeClock(T0));
  await workerBeat(store, { worker: worker("w", T0, 15_000), ttlMs: 15_000 });
  await workerBeat(store, { worker: worker("w", T0 + 5_000, 15_000), ttlMs: 15_000 });
  assertEquals(await workerList(store, { now: T0 + 16_000 }), [worker("w", T0 + 5_000, 15_000)]);
});
