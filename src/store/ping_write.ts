/**
 * The `ping` of a networked store: a write that must be answered within a time, or the
 * store counts as unusable (`StoreUnavailableError`, naming the store and why).
 *
 * @example
 * ```ts
 * import { systemClock } from "../clock.ts";
 * import { pingWrite } from "./ping_write.ts";
 * await pingWrite("Redis", () => Promise.resolve("OK"), { timeoutMs: 2_000, clock: systemClock });
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import { StoreUnavailableError } from "../errors.ts";

/**
 * Runs `write`; throws `StoreUnavailableError` if it fails or takes over `timeoutMs` on
 * `clock` (the store's).
 */
export async function pingWrite(
  store: string,
  write: () => Promise<unknown>,
  { timeoutMs, clock }: { timeoutMs: number; clock: Clock },
): Promise<void> {
  const answered = new AbortController();
  const written = write();
  written.catch(() => {}); // a late failure after the timeout is already reported
  const timeout = clock.sleep(timeoutMs, answered.signal).then(() => {
    if (!answered.signal.aborted) throw new Error(`no answer within ${timeoutMs} ms`);
  });
  try {
    await Promise.race([written, timeout]);
  } catch (error) {
    throw new StoreUnavailableError(`${store} unusable: ${(error as Error).message}`);
  } finally {
    answered.abort();
  }
}
