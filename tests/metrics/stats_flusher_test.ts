import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { silentLogger } from "../../src/log.ts";
import { MINUTE_MS, type StatEntry } from "../../src/metrics/stat_deltas.ts";
import { FOLD_AFTER_MINUTES, foldStats } from "../../src/metrics/stat_fold.ts";
import { STAT_SPACE } from "../../src/metrics/stat_records.ts";
import { StatTally } from "../../src/metrics/stat_tally.ts";
import { StatsFlusher } from "../../src/metrics/stats_flusher.ts";
import { readStats } from "../../src/metrics/stats_read.ts";
import { claimJob, createJob, finishJob } from "../../src/transitions/mod.ts";
import { MemoryRecords } from "../store/memory_records.ts";

function stat(stats: StatEntry[], ...key: (string | number)[]): number {
  return stats.find((s) => s.key.join("\u0000") === key.join("\u0000"))?.value ?? 0;
}

/** A process: its tally, its flusher on `store`, and jobs it runs to the end. */
function process(store: MemoryRecords, clock: FakeClock) {
  const tally = new StatTally();
  const flusher = new StatsFlusher({ store, tally, clock, logger: silentLogger });
  let n = 0;
  return {
    flusher,
    run(queue: string) {
      const queued = createJob({ id: `j${++n}`, task: "t", queue, input: 1 }, clock.now());
      const started = claimJob(queued, { workerId: "w", now: clock.now(), leaseMs: 1_000 });
      const done = finishJob(started, { now: clock.now() + 30, result: null, ttlMs: 1 });
      tally.add([{ before: null, after: queued }, { before: queued, after: started }]);
      tally.add([{ before: started, after: done }]);
    },
  };
}

Deno.test("two processes' counts add up once flushed, and only once", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const [a, b] = [process(store, clock), process(store, clock)];
  a.run("q");
  a.run("q");
  b.run("q");
  assertEquals(await readStats(store, { since: 0, now: clock.now() }), []);
  await a.flusher.flush();
  await b.flusher.flush();
  await a.flusher.flush(); // nothing new: the records stay as they were
  const stats = await readStats(store, { since: 0, now: clock.now() });
  assertEquals(stat(stats, "jobs", "enqueued", "q", "t"), 3);
  assertEquals(stat(stats, "jobs", "finished", "q", "t"), 3);
  const minute = Math.floor((clock.now() + 30) / MINUTE_MS);
  assertEquals(stat(stats, "minute", minute, "finished"), 3);
});

Deno.test("the loop flushes every second and stop() writes what is left", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const p = process(store, clock);
  p.flusher.start();
  p.run("q");
  await new Promise((resolve) => setTimeout(resolve, 0));
  clock.advance(1_000);
  await new Promise((resolve) => setTimeout(resolve, 0));
  await p.flusher.flush(); // waits for the loop's flush under way
  const flushed = await readStats(store, { since: 0, now: clock.now() });
  assertEquals(stat(flushed, "jobs", "enqueued", "q", "t"), 1);
  p.run("q");
  await p.flusher.stop();
  const stopped = await readStats(store, { since: 0, now: clock.now() });
  assertEquals(stat(stopped, "jobs", "enqueued", "q", "t"), 2);
});

Deno.test("a fold moves old minutes into the totals without changing any sum", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const p = process(store, clock);
  p.run("q");
  await p.flusher.flush();
  clock.advance(MINUTE_MS);
  p.run("q");
  p.run("r");
  await p.flusher.flush();
  clock.advance(FOLD_AFTER_MINUTES * MINUTE_MS);
  p.run("q");
  await p.flusher.flush();
  const before = await readStats(store, { since: 0, now: clock.now() });
  assertEquals(await foldStats(store, { now: clock.now(), owner: "x" }), 3);
  const after = await readStats(store, { since: 0, now: clock.now() });
  for (const key of [["jobs", "enqueued", "q", "t"], ["jobs", "enqueued", "r", "t"]]) {
    assertEquals(stat(after, ...key), stat(before, ...key));
  }
  assertEquals(stat(after, "jobs", "enqueued", "q", "t"), 3);
  const minutes = await store.recordList({ space: STAT_SPACE, prefix: "m/", limit: 10 });
  assertEquals(minutes.length, 1); // the last minute's, not yet old enough
  // Folding again finds nothing more to fold, so nothing is counted twice.
  assertEquals(await foldStats(store, { now: clock.now(), owner: "y" }), 0);
  assertEquals(await readStats(store, { since: 0, now: clock.now() }), after);
});

Deno.test("a fold is skipped while another process holds the lock", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const p = process(store, clock);
  p.run("q");
  await p.flusher.flush();
  clock.advance((FOLD_AFTER_MINUTES + 1) * MINUTE_MS);
  await store.recordPut({
    space: STAT_SPACE,
    key: "fold",
    value: { owner: "other", until: clock.now() + 1_000 },
  });
  assertEquals(await foldStats(store, { now: clock.now(), owner: "me" }), 0);
  clock.advance(1_001);
  assertEquals(await foldStats(store, { now: clock.now(), owner: "me" }), 1);
});

Deno.test("ended-per-minute counts are answered from `since` on, for two hours", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const p = process(store, clock);
  p.run("q");
  await p.flusher.flush();
  const minute = Math.floor((clock.now() + 30) / MINUTE_MS);
  const later = clock.now() + 10 * MINUTE_MS;
  assertEquals(
    stat(await readStats(store, { since: later, now: later }), "minute", minute, "finished"),
    0,
  );
  const stats = await readStats(store, { since: 0, now: later });
  assertEquals(stat(stats, "minute", minute, "finished"), 1);
  assertEquals(stat(stats, "jobs", "finished", "q", "t"), 1);
  const gone = clock.now() + 3 * 3_600_000;
  assertEquals(
    stat(await readStats(store, { since: 0, now: gone }), "minute", minute, "finished"),
    0,
  );
});

Deno.test("the loop folds old minutes a minute after start, not at start", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  const records = (prefix: string) => store.recordList({ space: STAT_SPACE, prefix, limit: 10 });
  const earlier = process(store, clock);
  earlier.run("q");
  await earlier.flusher.flush();
  clock.advance((FOLD_AFTER_MINUTES + 1) * MINUTE_MS); // its record is old enough to fold
  const p = process(store, clock);
  p.flusher.start();
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 1));
  assertEquals((await records("m/")).length, 1);
  clock.advance(60_000);
  for (let i = 0; i < 200 && (await records("t/")).length === 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assertEquals([(await records("m/")).length, (await records("t/")).length], [0, 1]);
  await p.flusher.stop();
  const stats = await readStats(store, { since: 0, now: clock.now() });
  assertEquals(stat(stats, "jobs", "enqueued", "q", "t"), 1);
});

Deno.test("an idle process's loop sleeps until a change, then flushes at most once a second", async () => {
  const clock = new FakeClock();
  const store = new MemoryRecords(clock);
  let commits = 0;
  const commit = store.recordCommit.bind(store);
  store.recordCommit = (params) => (commits++, commit(params));
  let rounds = 0;
  const sleep = clock.sleep.bind(clock);
  clock.sleep = (ms, signal) => (rounds++, sleep(ms, signal));
  const p = process(store, clock);
  const yieldToLoop = () => new Promise((resolve) => setTimeout(resolve, 0));
  p.flusher.start();
  await yieldToLoop();
  for (let second = 0; second < 10; second++) {
    clock.advance(1_000);
    await yieldToLoop();
  }
  assertEquals([commits, rounds], [0, 1], "one round, then asleep while nothing changed");
  p.run("q");
  await yieldToLoop();
  assertEquals(commits, 1, "the first change after a quiet spell goes out at once");
  p.run("q");
  await yieldToLoop();
  assertEquals(commits, 1, "the next waits for the second to pass");
  clock.advance(1_000);
  await yieldToLoop();
  await yieldToLoop();
  assertEquals(commits, 2);
  await p.flusher.stop();
});
