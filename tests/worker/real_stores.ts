/**
 * The stores a worker-level test runs on, each its own: the KV file of `fixture` (no opener),
 * a fresh prefix on a redis-server and a fresh schema on a PostgreSQL server, both started
 * for the test file and stopped by PID when it unloads.
 *
 * @example
 * ```ts ignore
 * for (const [backend, openStore] of await realStores("pause")) {
 *   Deno.test(`${backend}: …`, async () => { await using fx = await fixture([], openStore); });
 * }
 * ```
 * @module
 */
import type { FakeClock } from "../../src/clock.ts";
import type { JobsWrittenListener, Store } from "../../src/store/store.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { openPostgresStore } from "../../src/store/postgres/postgres_store.ts";
import { RedisServer } from "../store/redis_server.ts";
import { PostgresServer } from "../store/postgres_server.ts";

/** A backend's name and how `fixture` opens it (undefined: its own KV file). */
export type RealStore = [
  string,
  ((clock: FakeClock, onJobsWritten: JobsWrittenListener) => Promise<Store>) | undefined,
];

/** Starts the servers and answers one opener per store; Redis prefixes start with `prefix`. */
export async function realStores(prefix: string): Promise<RealStore[]> {
  const redis = await RedisServer.start();
  const postgres = await PostgresServer.start();
  globalThis.addEventListener("unload", () => {
    redis.stopNow();
    postgres.stopNow();
  });
  let prefixes = 0;
  return [
    ["kv", undefined],
    [
      "redis",
      (clock, onJobsWritten) =>
        openRedisStore(redis.url, { prefix: `${prefix}${++prefixes}`, clock, onJobsWritten }),
    ],
    [
      "postgres",
      (clock, onJobsWritten) =>
        openPostgresStore(postgres.url, { schema: postgres.freshSchema(), clock, onJobsWritten }),
    ],
  ];
}
