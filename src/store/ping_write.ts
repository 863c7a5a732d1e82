/**
 * The `ping` of a networked store: a write that must be answered within a time, or the
 * store counts as unusable (`StoreUnavailableError`, naming the store and why).
 *
 * @example
 * ```ts
 * import { pingWrite } from "./ping_write.ts";
 * await pingWrite("Redis", () => Promise.resolve("OK"), 2_000);
 * ```
 * @module
 */
import { StoreUnavailableError } from "../errors.ts";

/** Runs `write`; throws `StoreUnavailableError` if it fails or takes over `timeoutMs`. */
export async function pingWrite(
  store: string,
  write: () => Promise<unknown>,
  timeoutMs: number,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const written = write();
  written.catch(() => {}); // a late failure after the timeout is already reported
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([written, timeout]);
  } catch (error) {
    throw new StoreUnavailableError(`${store} unusable: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
