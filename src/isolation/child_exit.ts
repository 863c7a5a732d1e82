/**
 * Says why a handler's child process ended, in the words a failed attempt records.
 *
 * @example
 * ```ts
 * import { childExitMessage } from "./child_exit.ts";
 * console.assert(childExitMessage({ code: 137, signal: "SIGKILL" }, "", 256) ===
 *   "exited with signal SIGKILL");
 * ```
 * @module
 */

/**
 * The message of an attempt whose child ended with `status`, given the end of its stderr
 * and its heap limit in MB (if any).
 *
 * @example
 * ```ts
 * import { childExitMessage } from "./child_exit.ts";
 * const stderr = "# Fatal JavaScript out of memory: Reached heap limit";
 * console.assert(childExitMessage({ code: 133, signal: "SIGTRAP" }, stderr, 256) ===
 *   "out of memory at 256 MB");
 * ```
 */
export function childExitMessage(
  status: { code: number; signal: Deno.Signal | null },
  stderrTail: string,
  memoryMb: number | undefined,
): string {
  if (/out of memory|heap limit|allocation failed/i.test(stderrTail)) {
    return memoryMb ? `out of memory at ${memoryMb} MB` : "out of memory";
  }
  if (status.signal) return `exited with signal ${status.signal}`;
  return `exited with code ${status.code}`;
}
