/**
 * Retries of commits that SQLite refused with "database is locked". Processes sharing one
 * KV file take turns at its single write lock, and under load a commit sometimes finds the
 * lock held longer than SQLite waits. Nothing of a refused commit was written, so sending
 * it again is safe; every commit of the KV store goes through here, so no caller handles
 * the case on its own.
 *
 * @example
 * ```ts
 * import { commitWhileLocked } from "./lock_retry.ts";
 * const kv = await Deno.openKv(":memory:");
 * await commitWhileLocked(kv.atomic().set(["a"], 1));
 * kv.close();
 * ```
 * @module
 */

/**
 * Tries per commit before the lock error reaches the caller. SQLite itself waits up to 5 s
 * for a held lock; the errors seen while two workers drain one file come back without that
 * wait (a few dozen of SQLite's sleeps against a few hundred errors per worker), so the
 * commit can go again almost at once.
 */
const ATTEMPTS = 20;

function isLocked(error: unknown): boolean {
  return /database is locked/i.test(String(error));
}

/** Runs `commit`, again after a short jittered pause while the file is locked. */
export async function whileLocked<T>(commit: () => Promise<T>, attempts = ATTEMPTS): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await commit();
    } catch (error) {
      if (attempt === attempts || !isLocked(error)) throw error;
      // Short: with 5-25 ms per lost turn, a worker sharing the file spent a third of a drain
      // pausing here while the other took turn after turn.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
    }
  }
}

/**
 * Commits `operation`, again while the file is locked. Called at each commit rather than set
 * on every operation of the store's `Deno.Kv`: an operation whose own `commit` wrapped the
 * original kept its mutations alive past two young-generation collections, and under an HTTP
 * enqueue load that promoted about 700 bytes a request to the old generation (7 full
 * collections in 8 s at 8,000 requests/s, none without it).
 *
 * @example
 * ```ts
 * import { commitWhileLocked } from "./lock_retry.ts";
 * const kv = await Deno.openKv(":memory:");
 * const { ok } = await commitWhileLocked(kv.atomic().check({ key: ["a"], versionstamp: null }).set(["a"], 1));
 * console.assert(ok);
 * kv.close();
 * ```
 */
export function commitWhileLocked(
  operation: Deno.AtomicOperation,
): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
  return whileLocked(() => operation.commit());
}
