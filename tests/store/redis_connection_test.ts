/**
 * The Redis store against a Redis that is not there, or goes away: clear
 * `StoreUnavailableError`s, never hangs; and the settings of a cluster client from URLs.
 */
import { assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { StoreUnavailableError } from "../../src/errors.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { clusterOptions } from "../../src/store/redis/connection.ts";
import { freePort, RedisServer } from "./redis_server.ts";

Deno.test("opening a Redis that does not answer fails with StoreUnavailableError", async () => {
  const error = await assertRejects(
    () => openRedisStore(`redis://user:hunter2@127.0.0.1:${freePort()}`),
    StoreUnavailableError,
    "cannot reach Redis",
  );
  if (error.message.includes("hunter2")) throw new Error("the password leaked into the message");
});

Deno.test("a URL that is not redis:// or rediss:// is refused", async () => {
  await assertRejects(
    () => openRedisStore("http://127.0.0.1:6379"),
    StoreUnavailableError,
    "not a Redis URL",
  );
});

Deno.test("ping fails with StoreUnavailableError once Redis is gone", async () => {
  const server = await RedisServer.start();
  const store = await openRedisStore(server.url);
  try {
    await store.ping();
    await server.stop();
    await assertRejects(() => store.ping(), StoreUnavailableError);
  } finally {
    store.close();
    await server.stop();
  }
});

Deno.test("cluster settings take every node, and one user and password for all", () => {
  const { nodes, options } = clusterOptions([
    "redis://10.0.0.5:7000",
    "redis://app:s%40cret@10.0.0.6:7001/0",
    "redis://other:x@redis-3",
  ]);
  assertEquals(nodes, [
    { host: "10.0.0.5", port: 7000 },
    { host: "10.0.0.6", port: 7001 },
    { host: "redis-3", port: 6379 },
  ]);
  assertEquals([options.redisOptions?.username, options.redisOptions?.password], [
    "app",
    "s@cret",
  ]);
  assertEquals(options.redisOptions?.tls, undefined);
  assertEquals(clusterOptions(["rediss://10.0.0.5:7000"]).options.redisOptions?.tls, {});
});

Deno.test("cluster settings refuse no URL, a non-Redis URL and a database other than 0", () => {
  const refusal = (urls: string[]) =>
    assertThrows(() => clusterOptions(urls), StoreUnavailableError);
  assertEquals(refusal([]).message, "a Redis Cluster needs at least one URL");
  assertEquals(
    refusal(["http://h:1"]).message,
    "not a Redis URL (redis:// or rediss://): http://h:1/",
  );
  assertEquals(
    refusal(["redis://:pw@h:1/3"]).message,
    "a Redis Cluster has only database 0; got redis://:***@h:1/3",
  );
});
