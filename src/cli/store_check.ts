/**
 * A bounded first write before a command starts work. Opening a KV file succeeds even when
 * another process holds its lock (a stuck tq, a backup, an `sqlite3` shell), and every
 * read and write then waits for ever; a full disk or a read-only file fails only on the
 * first write. Checking once, with a deadline, turns each of these into one clear error
 * and a non-zero exit instead of a silent hang or a crash loop.
 *
 * @example
 * ```ts ignore
 * await checkStore(connection.store, "./data/tq.db");
 * ```
 * @module
 */
import { StoreUnavailableError } from "../errors.ts";
import type { Store } from "../store/store.ts";

/** How long the first write may take before the store is declared stuck. */
export const STORE_CHECK_MS = 5_000;

/**
 * Resolves once `store` has answered a write; throws `StoreUnavailableError` naming
 * `where` when it fails or takes longer than `timeoutMs`.
 *
 * @example
 * ```ts
 * import { checkStore } from "./store_check.ts";
 * import type { Store } from "../store/store.ts";
 * const stuck = { ping: () => new Promise<void>(() => {}) } as unknown as Store;
 * const error = await checkStore(stuck, "./data/tq.db", 10).catch((e) => e);
 * console.assert(error.code === "store_unavailable");
 * ```
 */
export async function checkStore(
  store: Store,
  where: string,
  timeoutMs = STORE_CHECK_MS,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new StoreUnavailableError(
          `${where} did not answer a write within ${timeoutMs / 1000} s: another process ` +
            `probably holds its lock (a stuck tq, a backup, an sqlite3 shell)`,
        ),
      );
    }, timeoutMs);
  });
  try {
    await Promise.race([store.ping(), deadline]);
  } catch (error) {
    if (error instanceof StoreUnavailableError) {
      throw new StoreUnavailableError(
        error.message.startsWith(where) ? error.message : `${where}: ${error.message}`,
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
