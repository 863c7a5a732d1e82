/**
 * The sliding-window rule of rate limits, pure. A window record holds the start times still
 * inside the window, oldest first; a start at `s` counts until `s + per`. A claim reserves
 * the starts it may make (as many as the window has free, at most what it could use) by
 * adding them at `now`, and gives back those it did not use; so no span of `per` ms ever
 * holds more than `max` starts.
 *
 * @example
 * ```ts
 * import { giveBackStarts, reserveStarts } from "./rate_limit_window.ts";
 * const limit = { max: 2, per: 1_000 };
 * const { starts, reserved } = reserveStarts([500], { limit, now: 1_000, want: 5 });
 * console.assert(reserved === 1 && starts.join() === "500,1000");
 * console.assert(giveBackStarts(starts, { now: 1_000, count: 1 }).join() === "500");
 * ```
 * @module
 */
import type { RateLimit } from "./rate_limit.ts";

/**
 * The starts of a window still inside it at `now`.
 *
 * @example
 * ```ts
 * import { liveStarts } from "./rate_limit_window.ts";
 * console.assert(liveStarts([0, 500, 900], 1_000, 1_000).join() === "500,900");
 * ```
 */
export function liveStarts(starts: readonly number[], now: number, per: number): number[] {
  return starts.filter((start) => start > now - per);
}

/**
 * Reserves up to `want` starts at `now` in a window holding `starts`: as many as it has
 * free. Answers the window to write (its live starts, then the reserved ones) and how many.
 *
 * @example
 * ```ts
 * import { reserveStarts } from "./rate_limit_window.ts";
 * const full = reserveStarts([0, 10], { limit: { max: 2, per: 100 }, now: 50, want: 1 });
 * console.assert(full.reserved === 0);
 * ```
 */
export function reserveStarts(
  starts: readonly number[],
  { limit, now, want }: { limit: RateLimit; now: number; want: number },
): { starts: number[]; reserved: number } {
  const live = liveStarts(starts, now, limit.per);
  const reserved = Math.max(0, Math.min(want, limit.max - live.length));
  return { starts: [...live, ...Array<number>(reserved).fill(now)], reserved };
}

/**
 * The window without `count` of the starts reserved at `now` (fewer if it holds fewer: a
 * window that expired meanwhile has none to give back).
 *
 * @example
 * ```ts
 * import { giveBackStarts } from "./rate_limit_window.ts";
 * console.assert(giveBackStarts([5, 9, 9], { now: 9, count: 5 }).join() === "5");
 * ```
 */
export function giveBackStarts(
  starts: readonly number[],
  { now, count }: { now: number; count: number },
): number[] {
  const kept = [...starts];
  for (let left = count; left > 0; left--) {
    const at = kept.lastIndexOf(now);
    if (at < 0) break;
    kept.splice(at, 1);
  }
  return kept;
}

/**
 * When a window holding `starts` admits a start again, if it is full at `now`; else null.
 *
 * @example
 * ```ts
 * import { windowFreesAt } from "./rate_limit_window.ts";
 * console.assert(windowFreesAt([0, 40], { limit: { max: 2, per: 100 }, now: 50 }) === 100);
 * console.assert(windowFreesAt([40], { limit: { max: 2, per: 100 }, now: 50 }) === null);
 * ```
 */
export function windowFreesAt(
  starts: readonly number[],
  { limit, now }: { limit: RateLimit; now: number },
): number | null {
  const live = liveStarts(starts, now, limit.per).sort((a, b) => a - b);
  return live.length < limit.max ? null : live[live.length - limit.max] + limit.per;
}
