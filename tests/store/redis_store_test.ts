/**
 * The conformance suite on Redis: one redis-server for the file (no persistence), a fresh
 * key prefix per test, the server killed when the file's tests are over.
 */
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { runStoreConformance } from "./conformance.ts";
import { RedisServer } from "./redis_server.ts";

const server = await RedisServer.start();
globalThis.addEventListener("unload", () => server.stopNow());

let tests = 0;
runStoreConformance("redis", async () => {
  const store = await openRedisStore(server.url, { prefix: `conf${++tests}` });
  return {
    store,
    cleanup: () => Promise.resolve(store.close()),
  };
});
