import { Redis } from "ioredis";
import { FakeClock } from "../../src/clock.ts";
import { StoreTooNewError } from "../../src/errors.ts";
import { RedisKeys } from "../../src/store/redis/keys.ts";
import { REDIS_MIGRATIONS, RedisLayout } from "../../src/store/redis/layout.ts";
import { migrateLayout } from "../../src/store/migrations.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { withScripts } from "../../src/store/redis/scripts/mod.ts";
import { newJobId } from "../../src/ids.ts";
import { createJob } from "../../src/transitions/mod.ts";
import type { Job } from "../../src/job.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { assertMigratesOnce } from "./layout_race.ts";
import { RedisServer } from "./redis_server.ts";
import { pausedQueues } from "../../src/guards/queue_pauses.ts";
import { taskHoldList } from "../../src/guards/task_holds.ts";
import { assertKeyHolds } from "./conformance_idempotency.ts";
import { assertDebounceJoins, oldDebounced } from "./conformance_debounce.ts";
import { assertSchedulesKept } from "./conformance_schedules.ts";
import { assertLogLinesKept, oldLogLines } from "./conformance_telemetry.ts";
import { assertBatchesKept, oldBatches } from "./conformance_batches.ts";
import { assertLanesKept, oldLanes } from "./conformance_groups.ts";
import { withLinks } from "../../src/flows/linked_store.ts";

const server = await RedisServer.start();
/** A queue's listing of the jobs in `state`. */
const stateSet = (keys: RedisKeys, queue: string, state: string) =>
  `${keys.queue(queue)}state:${state}`;
globalThis.addEventListener("unload", () => server.stopNow());

Deno.test("opening a Redis prefix an older tq wrote deletes its stale state:queued listings and records the newest layout", async () => {
  const redis = new Redis(server.url);
  const keys = new RedisKeys("old");
  await redis.sadd(keys.queues, "mail", "reports");
  await redis.zadd(stateSet(keys, "mail", "queued"), 0, "a", 0, "b");
  await redis.zadd(stateSet(keys, "reports", "queued"), 0, "c");
  await redis.zadd(stateSet(keys, "mail", "failed"), 0, "kept");

  const store = await openRedisStore(server.url, { prefix: "old" });
  store.close();

  assertEquals(await redis.exists(stateSet(keys, "mail", "queued")), 0);
  assertEquals(await redis.exists(stateSet(keys, "reports", "queued")), 0);
  assertEquals(await redis.zrange(stateSet(keys, "mail", "failed"), 0, -1), ["kept"]);
  assertEquals(await redis.get("old:layout"), String(REDIS_MIGRATIONS.length));
  assertEquals(await redis.exists("old:layout_lock"), 0);
  redis.disconnect();
});

Deno.test("two openers of one Redis prefix run its migration once", async () => {
  const [a, b] = [new Redis(server.url), new Redis(server.url)];
  const keys = new RedisKeys("race");
  const clock = new FakeClock();
  await assertMigratesOnce([new RedisLayout(a, keys), new RedisLayout(b, keys)], clock);
  a.disconnect();
  b.disconnect();
});

Deno.test("the holder of a Redis migration lock extends it; anyone else is refused", async () => {
  const redis = new Redis(server.url);
  const layout = new RedisLayout(redis, new RedisKeys("renew"));
  assertEquals(await layout.lockTake({ owner: "a", ms: 1_000 }), true);
  assertEquals(await layout.lockTake({ owner: "a", ms: 60_000 }), true);
  assert(await redis.pttl("renew:layout_lock") > 1_000, "the lease runs from the renewal");
  assertEquals(await layout.lockTake({ owner: "b", ms: 1_000 }), false);
  await layout.lockRelease({ owner: "a" });
  assertEquals(await layout.lockTake({ owner: "b", ms: 1_000 }), true);
  redis.disconnect();
});

Deno.test("a Redis prefix with a layout newer than this tq is refused, asking for an upgrade", async () => {
  const redis = new Redis(server.url);
  const keys = new RedisKeys("newer");
  await redis.set("newer:layout", "99");
  await redis.sadd(keys.queues, "mail");
  await redis.zadd(stateSet(keys, "mail", "queued"), 0, "a");

  const error = await assertRejects(
    () => openRedisStore(server.url, { prefix: "newer" }),
    StoreTooNewError,
    "upgrade tq",
  );
  assertEquals([error.version, error.knownVersion], [99, REDIS_MIGRATIONS.length]);
  assertEquals(await redis.zcard(stateSet(keys, "mail", "queued")), 1); // untouched
  redis.disconnect();
});

Deno.test("a tq from before records left out their id and defaults refuses a prefix this tq opened", async () => {
  const store = await openRedisStore(server.url, { prefix: "shaped" });
  store.close();
  const redis = withScripts(new Redis(server.url));
  const keys = new RedisKeys("shaped");
  await assertRejects(
    () =>
      migrateLayout({
        layout: new RedisLayout(redis, keys),
        migrations: REDIS_MIGRATIONS.slice(0, 1),
        target: { redis: withScripts(redis), keys },
        clock: new FakeClock(),
        store: "Redis prefix shaped",
      }),
    StoreTooNewError,
    "upgrade tq",
  );
  redis.disconnect();
});

Deno.test("a Redis prefix an older tq wrote keeps its queue pauses and task holds as keyed records", async () => {
  const redis = new Redis(server.url);
  const now = Date.now();
  await redis.set("kept:layout", "4");
  await redis.sadd("kept:paused", "mail", "video");
  await redis.hset("kept:task_holds", "send", String(now + 60_000), "ended", String(now - 120_000));
  await redis.zadd("kept:workers", now + 15_000, "w");

  const store = await openRedisStore(server.url, { prefix: "kept" });
  try {
    assertEquals(await pausedQueues(store), ["mail", "video"]);
    assertEquals(await taskHoldList(store, { now }), [{ task: "send", until: now + 60_000 }]);
    assertEquals(await redis.exists("kept:paused", "kept:task_holds", "kept:workers"), 0);
    assertEquals(await redis.exists("kept:rec:task_hold:ended"), 0, "an ended hold is not moved");
  } finally {
    store.close();
    redis.disconnect();
  }
});

Deno.test("opening a Redis prefix of layout 2 deletes its job locator, and its jobs are still found by id", async () => {
  const store = await openRedisStore(server.url, { prefix: "located" });
  const job = createJob({ id: newJobId(), task: "t", queue: "mail", input: {} }, Date.now());
  await store.jobInsertMany({ jobs: [job] });
  store.close();
  const redis = new Redis(server.url);
  await redis.set("located:layout", "2");
  await redis.hset("located:loc", job.id, "mail");

  const reopened = await openRedisStore(server.url, { prefix: "located" });
  assertEquals((await reopened.jobGet(job.id))?.queue, "mail");
  reopened.close();
  assertEquals(await redis.exists("located:loc"), 0);
  redis.disconnect();
});

Deno.test("opening a Redis prefix of layout 3 moves its plain queued jobs to fifo, lists the others and drops the all listings", async () => {
  const store = await openRedisStore(server.url, { prefix: "split" });
  const now = Date.now();
  const plain = createJob({ id: newJobId(now), task: "t", queue: "mail", input: {} }, now);
  const urgent = createJob(
    { id: newJobId(now), task: "t", queue: "mail", input: {}, priority: -1 },
    now,
  );
  await store.jobInsertMany({ jobs: [plain, urgent] });
  store.close();
  // Back to layout 3: every queued job in ready, every job in all, no state:queued.
  const redis = new Redis(server.url);
  const K = new RedisKeys("split").queue("mail");
  const member = (job: Job) => String(job.runAt).padStart(16, "0") + job.id;
  await redis.zrem(`${K}fifo`, plain.id);
  await redis.zrem(`${K}state:queued`, urgent.id);
  await redis.zadd(`${K}ready`, 0, member(plain));
  await redis.zadd(`${K}all`, 0, plain.id, 0, urgent.id);
  await redis.set("split:layout", "3");

  const reopened = await openRedisStore(server.url, { prefix: "split" });
  assertEquals(await redis.zrange(`${K}fifo`, 0, -1), [plain.id]);
  assertEquals(await redis.zrange(`${K}ready`, 0, -1), [member(urgent)]);
  assertEquals(await redis.zrange(`${K}state:queued`, 0, -1), [urgent.id]);
  assertEquals(await redis.exists(`${K}all`), 0);
  const listed = await reopened.jobList({ state: "queued", limit: 10 });
  assertEquals(listed.jobs.map((job) => job.id), [urgent.id, plain.id]);
  const claimed = await reopened.jobClaim({
    queues: ["mail"],
    workerId: "w",
    limit: 2,
    leaseMs: 1_000,
    now,
  });
  assertEquals(claimed.map((job) => job.id), [urgent.id, plain.id]);
  reopened.close();
  redis.disconnect();
});

Deno.test("a Redis prefix of layout 5 lists its keyed records in key order after opening", async () => {
  const redis = new Redis(server.url);
  // Layout 5: each record and its space's expiry index, no index by key.
  await redis.set("lex:layout", "5");
  for (const queue of ["video", "mail"]) {
    await redis.set(`lex:rec:queue_pause:${queue}`, "true");
    await redis.zadd("lex:rec:queue_pause", "inf", queue);
  }
  const store = await openRedisStore(server.url, { prefix: "lex" });
  try {
    assertEquals(await pausedQueues(store), ["mail", "video"]);
    assertEquals(await redis.get("lex:layout"), String(REDIS_MIGRATIONS.length));
  } finally {
    store.close();
    redis.disconnect();
  }
});

Deno.test("a Redis prefix at layout 6 keeps its idempotency keys as keyed records", async () => {
  const redis = new Redis(server.url);
  const now = Date.now();
  const first = createJob({ id: newJobId(now), task: "t", input: 1 }, now);
  await redis.set("idem6:layout", "6");
  await redis.set("idem6:idem:order-42", `${now + 60_000}:${first.id}`, "PX", 60_000);
  await redis.set("idem6:idem:gone", `${now - 1}:${first.id}`, "PX", 1);

  const store = await openRedisStore(server.url, { prefix: "idem6" });
  try {
    await assertKeyHolds(store, "order-42", first);
    assertEquals(await redis.keys("idem6:idem:*"), []);
    const ttl = await redis.pttl("idem6:rec:idempotency:order-42");
    assertEquals(ttl > 0 && ttl <= 60_000, true, "the time to live it had left");
  } finally {
    store.close();
    redis.disconnect();
  }
});

Deno.test("a Redis prefix at layout 7 keeps its schedules' last runs and pauses as keyed records", async () => {
  const redis = new Redis(server.url);
  await redis.set("sched7:layout", "7");
  await redis.hset("sched7:schedule:nightly", {
    paused: "0",
    lastTickAt: "60000",
    lastRunAt: "61000",
    lastJobId: "j1",
  });
  await redis.hset("sched7:schedule:hourly", "paused", "1");

  const store = await openRedisStore(server.url, { prefix: "sched7" });
  try {
    await assertSchedulesKept(store);
    assertEquals(await redis.keys("sched7:schedule:*"), []);
  } finally {
    store.close();
    redis.disconnect();
  }
});

Deno.test("a Redis prefix at layout 8 keeps its debounce keys as keyed records", async () => {
  const redis = new Redis(server.url);
  const { job, record } = oldDebounced(Date.now());
  await redis.set("deb8:layout", "8");
  await redis.set("deb8:debounce:t:user:1", `${record.firstAt}:${record.jobId}`, "PX", 3_600_000);

  const store = await openRedisStore(server.url, { prefix: "deb8" });
  try {
    await assertDebounceJoins(store, job);
    assertEquals(await redis.keys("deb8:debounce:*"), []);
  } finally {
    store.close();
    redis.disconnect();
  }
});

Deno.test("a Redis prefix at layout 9 keeps its batches as keyed records, and their counts", async () => {
  const redis = new Redis(server.url);
  const batches = oldBatches(Date.now());
  const { open, closed } = batches;
  // A hash-tag prefix, where the keys of a queue named "batch" match the old batches' too.
  const keys = new RedisKeys("{bat9}");
  await redis.set("{bat9}:layout", "9");
  await redis.hset(`{bat9}:batch:${open.id}`, "r", JSON.stringify(open));
  await redis.hset(`{bat9}:batch:${closed.id}`, "r", JSON.stringify(closed), "done", "1");
  await redis.pexpire(`{bat9}:batch:${closed.id}`, 3_600_000);
  await redis.sadd("{bat9}:batches:open", open.id);
  await redis.hset(keys.batchCounts("default", open.id), "queued", "2");
  await redis.hset(keys.counts("batch"), "queued", "0");

  const store = await openRedisStore(server.url, { prefix: "{bat9}" });
  try {
    await assertBatchesKept(store, batches);
    assertEquals(await redis.keys("{bat9}:batch*"), [keys.counts("batch")]);
  } finally {
    store.close();
    redis.disconnect();
  }
});

Deno.test("a Redis prefix at layout 10 keeps its group and concurrency-key lanes as keyed records", async () => {
  const redis = new Redis(server.url);
  const now = Date.now();
  const { tails, lanes } = oldLanes(now);
  // A hash-tag prefix, where the keys of a queue named "group" match the old lanes' too.
  const tailStore = await openRedisStore(server.url, { prefix: "{lane10}" });
  await tailStore.recordCommit({ jobs: tails });
  tailStore.close();
  const queue = new RedisKeys("{lane10}").queue("group");
  await redis.hset(`${queue}counts`, "queued", "0");
  await redis.set("{lane10}:layout", "10");
  for (const [id, value] of Object.entries(lanes)) {
    await redis.set(`{lane10}:${id}`, value, "PX", 3_600_000);
  }

  const store = withLinks(await openRedisStore(server.url, { prefix: "{lane10}" }));
  try {
    await assertLanesKept(store, tails, now);
    assertEquals(await redis.keys("{lane10}:group:*"), [`${queue}counts`]);
    assertEquals(await redis.keys("{lane10}:concurrency:*"), []);
  } finally {
    store.close();
    redis.disconnect();
  }
});

Deno.test("a Redis prefix at layout 11 keeps its job log lines as keyed records and drops its statistics", async () => {
  const redis = new Redis(server.url);
  const lines = oldLogLines(Date.now());
  // A hash-tag prefix, where the keys of a queue named "joblog" match the old lines' too.
  const keys = new RedisKeys("{log10}");
  await redis.set("{log10}:layout", "11");
  const logKey = `{log10}:joblog:${lines[0].jobId}`;
  for (const line of lines) await redis.zadd(logKey, 0, `${line.seq}\n${JSON.stringify(line)}`);
  await redis.pexpire(logKey, 3_600_000);
  await redis.sadd(keys.queues, "default");
  await redis.hset(`${keys.queue("default")}stats`, '["jobs","finished","default","t"]', "3");

  const store = await openRedisStore(server.url, { prefix: "{log10}" });
  try {
    await assertLogLinesKept(store, lines);
    assertEquals(await redis.keys("{log10}:joblog*"), []);
    assertEquals(await redis.exists(`${keys.queue("default")}stats`), 0);
  } finally {
    store.close();
    redis.disconnect();
  }
});
