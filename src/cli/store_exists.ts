/**
 * Read-only commands (`tq jobs`, `queues`, `stats`, `workers`, `schedules list`) open an
 * existing KV file only: opening a mistyped `--db` would create an empty store and answer
 * "no jobs" with exit 0.
 *
 * @example
 * ```ts
 * import { assertStoreExists } from "./store_exists.ts";
 * import { UsageError } from "./args.ts";
 * let error: unknown;
 * try {
 *   assertStoreExists("./no/such/dir/tq.db");
 * } catch (e) {
 *   error = e;
 * }
 * console.assert(error instanceof UsageError);
 * ```
 * @module
 */
import { UsageError } from "./args.ts";

/**
 * Throws a `UsageError` naming `path` when no KV file is there (`:memory:` always passes).
 *
 * @example
 * ```ts ignore
 * assertStoreExists(values.db ?? DEFAULT_DB);
 * ```
 */
export function assertStoreExists(path: string): void {
  if (path === ":memory:") return;
  try {
    if (Deno.statSync(path).isFile) return;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  throw new UsageError(
    `--db ${path}: no tq store there (this command only reads one; check the path, or ` +
      `create the store with tq start, serve, worker or cron)`,
  );
}
