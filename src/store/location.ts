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
import { openRedisStore } from "./redis/redis_store.ts";
import type { Store } from "./store.ts";

/** A KV file or a Redis server, as `connect()` was given it. */
export type StoreLocation =
  | { kind: "kv"; path: string }
  | { kind: "redis"; url: string; prefix?: string; caFile?: string };

/**
 * Opens another connection to the store at `location`.
 *
 * @example
 * ```ts ignore
 * const store = await openStoreAt({ kind: "redis", url: "redis://127.0.0.1:6379" });
 * ```
 */
export function openStoreAt(location: StoreLocation, clock?: Clock): Promise<Store> {
  return location.kind === "kv"
    ? openKvStore(location.path, { clock })
    : openRedisStore(location.url, { prefix: location.prefix, caFile: location.caFile, clock });
}
