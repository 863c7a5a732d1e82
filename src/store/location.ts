/**
 * Where a store lives, as plain data that can cross to a thread or a child process, which
 * then opens its own connection to the same store (`openStoreAt`).
 *
 * @example
 * ```ts ignore
 * import { openStoreAt } from "./location.ts";
 * const store = await openStoreAt({ kind: "kv", path: "./data/tq.db" });
 * store.close();
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import { openKvStore } from "./kv/kv_store.ts";
import type { JobsWrittenListener, Store } from "./store.ts";

/** A KV file, a Redis server, a Redis Cluster or PostgreSQL, as `connect()` was given it. */
export type StoreLocation =
  | { kind: "kv"; path: string }
  | { kind: "redis"; url: string; prefix?: string; caFile?: string }
  | { kind: "redis-cluster"; urls: string[]; prefix?: string; caFile?: string; replicas?: number }
  | { kind: "postgres"; url: string; schema?: string };

/**
 * Opens a connection to the store at `location`. The Redis store (and so ioredis) is
 * imported only for a Redis location, the PostgreSQL store (and so postgres.js) only for a
 * PostgreSQL one: a KV-only application loads neither. `onJobsWritten` hears of the job
 * changes it writes (`store.ts`).
 *
 * @example
 * ```ts ignore
 * const store = await openStoreAt({ kind: "redis", url: "redis://127.0.0.1:6379" });
 * ```
 */
export async function openStoreAt(
  location: StoreLocation,
  clock?: Clock,
  onJobsWritten?: JobsWrittenListener,
): Promise<Store> {
  if (location.kind === "kv") return await openKvStore(location.path, { clock, onJobsWritten });
  if (location.kind === "postgres") {
    const { openPostgresStore } = await import("./postgres/postgres_store.ts");
    const { schema } = location;
    return await openPostgresStore(location.url, { schema, clock, onJobsWritten });
  }
  const { openRedisClusterStore, openRedisStore } = await import("./redis/redis_store.ts");
  const { prefix, caFile } = location;
  return location.kind === "redis"
    ? await openRedisStore(location.url, { prefix, caFile, clock, onJobsWritten })
    : await openRedisClusterStore(location.urls, {
      prefix,
      caFile,
      clock,
      onJobsWritten,
      replicas: location.replicas,
    });
}
