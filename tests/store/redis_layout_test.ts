import { Redis } from "ioredis";
import { FakeClock } from "../../src/clock.ts";
import { StoreTooNewError } from "../../src/errors.ts";
import { RedisKeys } from "../../src/store/redis/keys.ts";
import { REDIS_MIGRATIONS, RedisLayout } from "../../src/store/redis/layout.ts";
import { migrateLayout } from "../../src/store/migrations.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { newJobId } from "../../src/ids.ts";
import { createJob } from "../../src/transitions.ts";
import { assertEquals, assertRejects } from "../assert.ts";
import { assertMigratesOnce } from "./layout_race.ts";
import { RedisServer } from "./redis_server.ts";

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
        target: { redis, keys },
        clock: new FakeClock(),
        store: "Redis prefix shaped",
      }),
    StoreTooNewError,
    "upgrade tq",
  );
  redis.disconnect();
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
