/**
 * What the Redis store promises beyond the conformance suite: claims stay exclusive across
 * processes, the claim script writes exactly what `claimJob` computes, wake-ups travel
 * between connections, and key prefixes keep apps apart.
 */
import { assert, assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { newJobId } from "../../src/ids.ts";
import { statDeltas } from "../../src/metrics/stat_deltas.ts";
import type { JobChange, JobsWrittenListener } from "../../src/store/store.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { claimJob, createJob } from "../../src/transitions/mod.ts";
import { RedisServer } from "./redis_server.ts";
import { ulid } from "ulid";

const server = await RedisServer.start();
globalThis.addEventListener("unload", () => server.stopNow());

let prefixes = 0;
const open = (onJobsWritten?: JobsWrittenListener) =>
  openRedisStore(server.url, { prefix: `claims${++prefixes}`, onJobsWritten });
/** The lines a child prints, one at a time. */
function outputLines(stdout: ReadableStream<Uint8Array>): AsyncIterator<string> {
  let rest = "";
  return stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
    new TransformStream<string, string>({
      transform(chunk, controller) {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop()!;
        lines.forEach((line) => controller.enqueue(line));
      },
    }),
  )[Symbol.asyncIterator]();
}

const job = (queue = "default", input: unknown = {}) =>
  createJob({ id: newJobId(), task: "t", queue, input }, Date.now());

Deno.test("three claimant processes share 1,500 jobs without a job going to two", async () => {
  const store = await open();
  const prefix = `claims${prefixes}`;
  try {
    const ids: string[] = [];
    for (let batch = 0; batch < 3; batch++) {
      const jobs = Array.from({ length: 500 }, () => job());
      await store.jobInsertMany({ jobs });
      ids.push(...jobs.map((j) => j.id));
    }
    const claimer = new URL("./redis_claimer.ts", import.meta.url).pathname;
    const children = [0, 1, 2].map(() =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-net", "--allow-env", "--allow-read", claimer, server.url, prefix],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn()
    );
    const outputs = children.map((child) => outputLines(child.stdout));
    // Everyone connected: let them all go at once.
    await Promise.all(outputs.map((lines) => lines.next()));
    await Promise.all(children.map((child) => child.stdin.close()));
    const claimed: string[][] = await Promise.all(
      outputs.map(async (lines) => JSON.parse((await lines.next()).value!)),
    );
    await Promise.all(children.map((child) => child.status));
    assert(claimed.every((ids) => ids.length > 0), "all three claimed: they really competed");
    const all = claimed.flat();
    assertEquals(all.length, 1_500, "no job claimed twice");
    assertEquals(new Set(all), new Set(ids));
    const [counts] = await store.queueCounts();
    assertEquals([counts.queued, counts.started], [0, 1_500]);
  } finally {
    store.close();
  }
});

Deno.test("a claim stores what claimJob computes and tells the job as it was queued", async () => {
  const written: JobChange[] = [];
  const store = await open((changes) => void written.push(...changes));
  try {
    const input = { empty: [], none: {}, big: 2 ** 53 - 1, tiny: 0.1 + 0.2, text: "ünï 😀" };
    const queued = { ...job("default", input), priority: -3 };
    await store.jobInsertMany({ jobs: [queued] });
    const params = { workerId: "host:1:abc", now: Date.now(), leaseMs: 12_345 };
    const [claimed] = await store.jobClaim({ queues: ["default"], limit: 1, ...params });
    assertEquals(claimed, claimJob(queued, params));
    assertEquals(await store.jobGet(queued.id), claimed);
    const expected = [...statDeltas(null, queued), ...statDeltas(queued, claimed)];
    assertEquals(written, [{ before: null, after: queued }, { before: queued, after: claimed }]);
    const stats = written.flatMap((c) => statDeltas(c.before, c.after));
    assertEquals(
      new Map(stats.map((s) => [JSON.stringify(s.key), s.value])),
      new Map(expected.map((s) => [JSON.stringify(s.key), s.value])),
    );
  } finally {
    store.close();
  }
});

Deno.test("a waiting worker wakes at once when another connection enqueues", async () => {
  const waiter = await open();
  const producer = await openRedisStore(server.url, { prefix: `claims${prefixes}` });
  try {
    // The first wait returns as soon as the subscription is made (it may have missed news).
    await waiter.workWait({ queues: ["mail"], timeoutMs: 5_000 });
    const started = performance.now();
    const waiting = waiter.workWait({ queues: ["mail"], timeoutMs: 10_000 });
    await producer.jobInsertMany({ jobs: [job("mail")] });
    await waiting;
    assert(performance.now() - started < 1_000, "woken by the enqueue, not the timeout");
  } finally {
    waiter.close();
    producer.close();
  }
});

Deno.test("a job in another queue does not wake a waiter, which wakes at its timeout", async () => {
  const clock = new FakeClock();
  const store = await openRedisStore(server.url, { prefix: `claims${++prefixes}`, clock });
  try {
    await store.workWait({ queues: ["mail"], timeoutMs: 5_000 });
    let woken = false;
    const mail = store.workWait({ queues: ["mail"], timeoutMs: 300 }).then(() => woken = true);
    const video = store.workWait({ queues: ["video"], timeoutMs: 60_000 });
    await store.jobInsertMany({ jobs: [job("video")] });
    await video; // the wake-up has arrived
    assertEquals(woken, false, "woken by another queue's job");
    clock.advance(300);
    await mail;
  } finally {
    store.close();
  }
});

Deno.test("two key prefixes on one Redis never see each other's jobs", async () => {
  const [a, b] = [await open(), await open()];
  try {
    const mine = job();
    await a.jobInsertMany({ jobs: [mine] });
    assertEquals(await b.jobGet(mine.id), null);
    assertEquals(await b.queueCounts(), []);
    assertEquals(
      await b.jobClaim({ queues: ["default"], workerId: "w", limit: 5, leaseMs: 1, now: 0 }),
      [],
    );
    assertEquals((await a.jobGet(mine.id))?.id, mine.id);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("claims merge fifo jobs and ready ones by priority, then runAt, then id", async () => {
  const store = await open();
  const t = 1_800_000_000_000;
  const at = (ms: number, spec: { runAt?: number; priority?: number } = {}) =>
    createJob({ id: ulid(t + ms), task: "t", input: {}, ...spec }, t + ms);
  const first = at(0); // fifo: its runAt is its id's time
  const retried = { ...at(-500), runAt: t + 500 }; // ready: an old id, a later runAt
  const last = at(1_000); // fifo
  const urgent = at(2_000, { priority: -1 }); // ready: a priority
  const lazy = at(-1_000, { priority: 1 }); // ready
  await store.jobInsertMany({ jobs: [lazy, last, retried, urgent, first] });
  const claim = (limit: number) =>
    store.jobClaim({ queues: ["default"], workerId: "w", limit, leaseMs: 1_000, now: t + 3_000 });
  assertEquals((await claim(2)).map((job) => job.id), [urgent.id, first.id]);
  assertEquals((await claim(1)).map((job) => job.id), [retried.id]);
  assertEquals((await claim(5)).map((job) => job.id), [last.id, lazy.id]);
  store.close();
});
