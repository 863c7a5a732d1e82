/**
 * How the Redis store keeps keyed records (`src/store/redis/records.ts`): a space's index
 * holds only the keys of live records, even for a space nobody lists (sessions), and a
 * record past its time to live on the store's clock is not listed.
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
  } finally {
    store.close();
    redis.disconnect();
  }
});
