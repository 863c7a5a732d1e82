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
 * How long after a start a claimant that found its window full looks again: the start may be
 * another claimant's reservation, given back once its claim is in (a claim's round trip).
 */
export const RESERVATION_SETTLE_MS = 250;

/**
 * When a claim whose window held `read` before it reserved and `after` once it gave back
 * should look again: when `after`, if full, admits a start again, or sooner, once the
 * starts made in the last {@linkcode RESERVATION_SETTLE_MS} have settled (some may be
 * reservations, given back meanwhile). Null when the window is not full.
 *
 * @example
 * ```ts
 * import { lookAgainAt } from "./rate_limit_window.ts";
 * const limit = { max: 2, per: 1_000 };
 * const fresh = [500, 900]; // 900 may be a reservation: look again at 1,150, not 1,500
 * console.assert(lookAgainAt({ read: fresh, after: fresh, limit, now: 950 }) === 1_150);
 * const settled = [500, 600];
 * console.assert(lookAgainAt({ read: settled, after: settled, limit, now: 950 }) === 1_500);
 * ```
 */
export function lookAgainAt({ read, after, limit, now }: {
  read: readonly number[];
  after: readonly number[];
  limit: RateLimit;
  now: number;
}): number | null {
  const frees = windowFreesAt(after, { limit, now });
  if (frees === null) return null;
  const newest = Math.max(...liveStarts(read, now, limit.per));
  return newest > now - RESERVATION_SETTLE_MS
    ? Math.min(frees, newest + RESERVATION_SETTLE_MS)
    : frees;
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
