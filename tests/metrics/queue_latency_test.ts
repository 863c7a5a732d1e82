import { assert, assertEquals } from "../assert.ts";
import { withApi } from "../http/setup.ts";
import { latencyMs, queueLatencies } from "../../src/metrics/queue_latency.ts";
import type { Store } from "../../src/store/store.ts";

function sample(text: string, line: string): number | undefined {
  const found = text.split("\n").find((l) => l.startsWith(line + " "));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

Deno.test("latencyMs() is the wait since ready, 0 with nothing ready or a clock behind", () => {
  assertEquals(latencyMs(1_000, 61_000), 60_000);
  assertEquals(latencyMs(null, 61_000), 0);
  assertEquals(latencyMs(62_000, 61_000), 0);
});

Deno.test("queueLatencies() reads only queues with ready jobs", async () => {
  const asked: string[][] = [];
  const store = {
    queueOldestReady: ({ queues }: { queues: string[] }) => {
      asked.push(queues);
      return Promise.resolve(queues.map(() => 1_000));
    },
  } as unknown as Store;
  const latency = await queueLatencies(store, [
    { name: "busy", queued: 3 },
    { name: "idle", queued: 0 },
  ], 5_000);
  assertEquals(asked, [["busy"]]);
  assertEquals([...latency], [["busy", 4_000], ["idle", 0]]);
});

Deno.test("the oldest ready job's wait shows in /metrics, GET /queues and the dashboard", async () => {
  await withApi(async ({ get, enqueue, clock, store }) => {
    const started = clock.now();
    await enqueue("noop", {}, { priority: 10 }); // the oldest, behind better priorities
    clock.advance(1_000);
    await enqueue("noop", {}, { priority: -5 });
    await enqueue("noop", {}, { queue: "later", delay: 60_000 }); // not ready: no latency
    await enqueue("noop", {}, { queue: "drained" });
    await store.jobClaim({
      queues: ["drained"],
      workerId: "w",
      limit: 1,
      leaseMs: 30_000,
      now: clock.now(),
    });
    clock.advance(3_500);
    assertEquals(clock.now() - started, 4_500);

    const text = await (await get("/metrics")).text();
    assertEquals(sample(text, 'tq_queue_latency_seconds{queue="default"}'), 4.5);
    assertEquals(sample(text, 'tq_queue_latency_seconds{queue="later"}'), 0);
    assertEquals(sample(text, 'tq_queue_latency_seconds{queue="drained"}'), 0);
    assert(text.includes("# TYPE tq_queue_latency_seconds gauge"), text);

    const { queues } = await (await get("/queues")).json();
    assertEquals(
      queues.map((q: { name: string; latency_ms: number }) => [q.name, q.latency_ms]).sort(),
      [["default", 4_500], ["drained", 0], ["later", 0]],
    );

    const overview = await (await get("/")).text();
    assert(overview.includes('<th class="num">latency</th>'), "a latency column");
    assert(/class="num latency"[^>]*>4\.5 s</.test(overview), "the default queue waits 4.5 s");
  });
});
