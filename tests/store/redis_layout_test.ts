import { Redis } from "ioredis";
import { FakeClock } from "../../src/clock.ts";
import { StoreTooNewError } from "../../src/errors.ts";
import { RedisKeys } from "../../src/store/redis/keys.ts";
import { REDIS_MIGRATIONS, RedisLayout } from "../../src/store/redis/layout.ts";
import { migrateLayout } from "../../src/store/migrations.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { assertEquals, assertRejects } from "../assert.ts";
import { assertMigratesOnce } from "./layout_race.ts";
import { RedisServer } from "./redis_server.ts";
import { withScripts } from "../../src/store/redis/scripts/mod.ts";
import { pausedQueues } from "../../src/guards/queue_pauses.ts";
import { taskHoldList } from "../../src/guards/task_holds.ts";

const server = await RedisServer.start();
globalThis.addEventListener("unload", () => server.stopNow());

Deno.test("opening a Redis prefix an older tq wrote deletes its stale state:queued listings and records the newest layout", async () => {
  const redis = new Redis(server.url);
  const keys = new RedisKeys("old");
  await redis.sadd(keys.queues, "mail", "reports");
  await redis.zadd(keys.listing("mail", "queued"), 0, "a", 0, "b");
  await redis.zadd(keys.listing("reports", "queued"), 0, "c");
  await redis.zadd(keys.listing("mail", "failed"), 0, "kept");

  const store = await openRedisStore(server.url, { prefix: "old" });
  store.close();

  assertEquals(await redis.exists(keys.listing("mail", "queued")), 0);
  assertEquals(await redis.exists(keys.listing("reports", "queued")), 0);
  assertEquals(await redis.zrange(keys.listing("mail", "failed"), 0, -1), ["kept"]);
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

Deno.test("a Redis prefix with a layout newer than this tq is refused, asking for an upgrade", async () => {
  const redis = new Redis(server.url);
  const keys = new RedisKeys("newer");
  await redis.set("newer:layout", "99");
  await redis.sadd(keys.queues, "mail");
  await redis.zadd(keys.listing("mail", "queued"), 0, "a");

  const error = await assertRejects(
    () => openRedisStore(server.url, { prefix: "newer" }),
    StoreTooNewError,
    "upgrade tq",
  );
  assertEquals([error.version, error.knownVersion], [99, REDIS_MIGRATIONS.length]);
  assertEquals(await redis.zcard(keys.listing("mail", "queued")), 1); // untouched
  redis.disconnect();
});

Deno.test("a tq from before records left out their id and defaults refuses a prefix this tq opened", async () => {
  const store = await openRedisStore(server.url, { prefix: "shaped" });
  store.close();
  const redis = new Redis(server.url);
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
  await redis.set("kept:layout", "2");
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
