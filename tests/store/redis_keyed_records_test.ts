/**
 * How the Redis store keeps keyed records (`src/store/redis/records.ts`): a space's index
 * holds only the keys of live records, even for a space nobody lists (sessions), a record
 * past its time to live on the store's clock is not listed, and a listing reads past such
 * records to answer as many as asked.
 */
import { Redis } from "ioredis";
import { assertEquals } from "../assert.ts";
import { FakeClock } from "../../src/clock.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { RedisServer } from "./redis_server.ts";

const server = await RedisServer.start();
globalThis.addEventListener("unload", () => server.stopNow());

Deno.test("a space's index drops the keys of expired records at the next write", async () => {
  const clock = new FakeClock();
  const store = await openRedisStore(server.url, { prefix: "idx", clock });
  const redis = new Redis(server.url);
  try {
    for (const key of ["a", "b", "c"]) {
      await store.recordPut({ space: "session", key, value: key, ttlMs: 1_000 });
    }
    await store.recordPut({ space: "session", key: "kept", value: 1 });
    assertEquals(await redis.zcard("idx:rec:session"), 4);
    clock.advance(1_000);
    assertEquals((await store.recordList({ space: "session", limit: 10 })).map((r) => r.key), [
      "kept",
    ]);
    await store.recordPut({ space: "session", key: "d", value: "d", ttlMs: 1_000 });
    assertEquals((await redis.zrange("idx:rec:session", 0, -1)).sort(), ["d", "kept"]);
    assertEquals(await redis.zrange("idx:reckeys:session", 0, -1), ["d", "kept"]);
  } finally {
    store.close();
    redis.disconnect();
  }
});

Deno.test("a listing reads past keys whose records expired, to answer as many as asked", async () => {
  const clock = new FakeClock();
  const store = await openRedisStore(server.url, { prefix: "page", clock });
  try {
    await store.recordPut({ space: "event", key: "e:1", value: 1 });
    for (const key of ["e:2", "e:3", "e:4"]) {
      await store.recordPut({ space: "event", key, value: key, ttlMs: 1_000 });
    }
    await store.recordPut({ space: "event", key: "e:5", value: 5 });
    await store.recordPut({ space: "event", key: "e:6", value: 6 });
    clock.advance(1_000);
    const listed = await store.recordList({ space: "event", prefix: "e:", limit: 2 });
    assertEquals(listed, [{ key: "e:1", value: 1 }, { key: "e:5", value: 5 }]);
  } finally {
    store.close();
  }
});

Deno.test("a record deleted leaves both of its space's indexes", async () => {
  const store = await openRedisStore(server.url, { prefix: "del" });
  const redis = new Redis(server.url);
  try {
    await store.recordPut({ space: "event", key: "a", value: 1, ttlMs: 60_000 });
    await store.recordDelete({ space: "event", key: "a" });
    assertEquals([await redis.zcard("del:rec:event"), await redis.zcard("del:reckeys:event")], [
      0,
      0,
    ]);
  } finally {
    store.close();
    redis.disconnect();
  }
});
