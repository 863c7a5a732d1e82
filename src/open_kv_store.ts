/**
 * `openKvStore` for applications: the KV file with every feature the engine writes above
 * the store (dependencies and flows, `src/flows/linked_store.ts`), as `connect()` opens it.
 *
 * @example
 * ```ts ignore
 * import { openKvStore } from "./open_kv_store.ts";
 * const store = await openKvStore("./data/tq.db");
 * console.log(await store.queueCounts());
 * store.close();
 * ```
 * @module
 */
import { withLinks } from "./flows/linked_store.ts";
import { type KvStoreOptions, openKvStore as openBareKvStore } from "./store/kv/kv_store.ts";
import type { Store } from "./store/store.ts";

export type { KvStoreOptions };

/**
 * Opens (creating if needed) the KV file at `path`, as the store's own `openKvStore`, with
 * dependencies linked above it.
 *
 * @example
 * ```ts ignore
 * const store = await openKvStore(":memory:");
 * ```
 */
export async function openKvStore(path: string, options: KvStoreOptions = {}): Promise<Store> {
  return withLinks(await openBareKvStore(path, options));
}
