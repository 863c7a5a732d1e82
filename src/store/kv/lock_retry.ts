/**
 * Retries of commits that SQLite refused with "database is locked". Processes sharing one
 * KV file take turns at its single write lock, and under load a commit sometimes finds the
 * lock held longer than SQLite waits. Nothing of a refused commit was written, so sending
 * it again is safe; every commit of the KV store goes through here, so no caller handles
 * the case on its own.
 *
 * @example
 * ```ts
 * import { retryLockedCommits } from "./lock_retry.ts";
 * const kv = retryLockedCommits(await Deno.openKv(":memory:"));
 * await kv.atomic().set(["a"], 1).commit();
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

/** Makes every atomic operation of `kv` retry its commit while the file is locked. */
export function retryLockedCommits(kv: Deno.Kv): Deno.Kv {
  const atomic = kv.atomic.bind(kv);
  kv.atomic = () => {
    const operation = atomic();
    const commit = operation.commit.bind(operation);
    operation.commit = () => whileLocked(commit);
    return operation;
  };
  return kv;
}
