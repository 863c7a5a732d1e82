/**
 * The oldest ready job of a queue on KV. The ready index is ordered by priority, then
 * `runAt`, so a queue's first entry is the best job to claim, not the longest waiting: the
 * oldest is the earliest of each priority level's first entry. A skip scan reads exactly
 * those, one `list` of one entry per priority level holding ready jobs, and skips the
 * rest of each level with a start key past all of it (a boolean sorts after every number
 * in a KV key part).
 *
 * @example
 * ```ts
 * import { oldestReadyAt } from "./oldest_ready.ts";
 * const kv = await Deno.openKv(":memory:");
 * await kv.set(["ready", "mail", 0, 2_000, "a"], new Uint8Array(0));
 * await kv.set(["ready", "mail", 5, 1_000, "b"], new Uint8Array(0));
 * console.assert(await oldestReadyAt(kv, "mail") === 1_000);
 * kv.close();
 * ```
 * @module
 */

/**
 * The earliest `runAt` in `queue`'s ready index, or null when it is empty.
 *
 * @example
 * ```ts
 * import { oldestReadyAt } from "./oldest_ready.ts";
 * const kv = await Deno.openKv(":memory:");
 * console.assert(await oldestReadyAt(kv, "empty") === null);
 * kv.close();
 * ```
 */
export async function oldestReadyAt(kv: Deno.Kv, queue: string): Promise<number | null> {
  const prefix: Deno.KvKey = ["ready", queue];
  let oldest: number | null = null;
  let start: Deno.KvKey | undefined;
  for (;;) {
    const selector = start ? { prefix, start } : { prefix };
    const [first] = await Array.fromAsync(kv.list(selector, { limit: 1 }));
    if (!first) return oldest;
    const [, , priority, runAt] = first.key as [string, string, number, number];
    if (oldest === null || runAt < oldest) oldest = runAt;
    start = ["ready", queue, priority, true];
  }
}
