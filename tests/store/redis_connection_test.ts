/**
 * The Redis store against a Redis that is not there, or goes away: clear
 * `StoreUnavailableError`s, never hangs.
 */
import { assertRejects } from "../assert.ts";
import { StoreUnavailableError } from "../../src/errors.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
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
