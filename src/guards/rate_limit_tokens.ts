/**
 * Rate-limited claims, written once above the store. Each limit's window is a keyed record
 * (space {@linkcode RATE_WINDOW_SPACE}, key `task:<name>` or `queue:<name>`, value the start
 * times inside it, `rate_limit_window.ts`). A claimant pays for a window only when jobs of
 * its limit are ready:
 *
 * 1. it claims with the limited tasks and queues capped at 0 (`Store.jobClaimCapped`): jobs
 *    of other tasks are claimed past them, and the store tells which caps held jobs back;
 *    with none held back, that one claim is all (it costs what a plain capped claim does:
 *    no window is read or written);
 * 2. for the limits that held jobs back, it reserves starts: reads their windows and, in one
 *    record commit checked against the versions read, adds as many starts at `now` as each
 *    has free (at most what the claim still has room for); a commit that lost a race is read
 *    and tried again;
 * 3. it claims again with those caps raised to what it reserved (a limit that held back jobs
 *    behind another, a task behind its queue's, is reserved for and claimed in one more
 *    round);
 * 4. it gives back the starts it did not use (a versioned write, tried again on a conflict).
 *
 * The claim answers the limits whose jobs may still be ready (`ready`: held back, or whose
 * reservation was used up). Handed to the next claim, it reserves for them before its first
 * claim, which saves that claim while limited jobs keep coming; a guess gone stale costs a
 * reservation given back, and is dropped. The claim that first finds a limit's jobs held
 * back has taken the jobs after them (of later queues, or lower in the order) first: the
 * limited ones come in its next round, or first in the next claim.
 *
 * A claimant that finds a window full while another holds a reservation in it looks again
 * once that reservation has settled (`lookAgainAt`), not only when the window frees a start.
 * (Waking idle claimants at each give-back instead would keep idle workers waking each other:
 * each look reserves and gives back.)
 *
 * Two claimants can never both take a window's last start: the reservation is checked. A
 * crash (or a failed write) between reserving and giving back leaves the unused starts in
 * the window until they leave it: the window is under-used, never over-used. Costs, in store
 * round trips: a claim while no limited job is ready, 1 (the capped claim); one that finds
 * limited jobs, 3 more (the windows' reads, made at once, the reservation, the second
 * claim), and 2 more when starts are left over (the give-back's reads and write); a claim
 * told `ready` while they keep coming, 3 (reads, reservation, claim), and the give-back's 2.
 *
 * Windows kept by tq before this module (KV `["rate", key]`, Redis `<prefix>:rate:<key>`,
 * PostgreSQL's `rate_windows`) are not moved: a window holds at most a day of starts, so an
 * upgrade forgets at most the starts of the one window it falls in (a limit may then be
 * exceeded once, up to twice over, as it is anyway while old and new workers run side by
 * side, each with its own windows). The KV and Redis ones expire by themselves.
 *
 * @example
 * ```ts ignore
 * const { jobs, wakeAt, ready } = await claimWithinRateLimits(store, {
 *   queues: ["mail"], workerId, limit: 10, leaseMs: 30_000, now: clock.now(),
 *   rateLimits: { tasks: { send: { max: 5, per: 1_000 } }, queues: {} },
 *   ready: lastClaim.ready,
 * });
 * ```
 * @module
 */
import { StoreUnavailableError } from "../errors.ts";
import type { Job } from "../job.ts";
import type { ClaimCaps, HeldBack, JobClaimParams, Store } from "../store/store.ts";
import type { RecordCheck, RecordWrite } from "../store/records.ts";
import { limitOf, rateLimitKeys, type RateLimits } from "./rate_limit.ts";
import { giveBackStarts, lookAgainAt, reserveStarts } from "./rate_limit_window.ts";

/** The keyed-record space of rate limit windows. */
export const RATE_WINDOW_SPACE = "rate_window";

/** Tries of a window write that keeps losing races before the claim gives up. */
const ATTEMPTS = 20;

/** The part of the store rate-limited claims use. */
export type RateLimitStore = Pick<
  Store,
  "recordGet" | "recordCommit" | "jobClaim" | "jobClaimCapped"
>;

/** What {@linkcode claimWithinRateLimits} answers. */
export interface LimitedClaim {
  /** The jobs claimed, as `jobClaim` answers them. */
  jobs: Job[];
  /** When a window that was full after this claim admits a start again; null if none was. */
  wakeAt: number | null;
  /** The limits whose jobs may still be ready: hand them to the next claim (`ready`). */
  ready: string[];
}

/** A claim with rate limits, and what to do when a step after claiming jobs fails. */
export interface LimitedClaimParams extends JobClaimParams {
  /** Without (or with none that concern the claim), the claim is the store's plain one. */
  rateLimits?: RateLimits;
  /** The last claim's `ready`: limits to reserve for before the first claim. */
  ready?: string[];
  /**
   * Told of an error once jobs are claimed (reserving or claiming for a limit found held
   * back, giving back unused starts). The claim still answers its jobs (they are claimed,
   * and must run); a window is at most under-used until its starts leave it.
   */
  onLateError?: (error: unknown) => void;
}

/** One window's part in a claim. */
interface Reservation {
  key: string;
  /** Starts added at `now`. */
  reserved: number;
  /** The window as the reservation wrote it. */
  starts: number[];
  /** The window's live starts as read, before the reservation. */
  read: number[];
}

/**
 * `store.jobClaim` under `rateLimits`: at most `max` starts per `per` ms for each limited
 * task and queue, across every claimant of the store.
 *
 * @example
 * ```ts ignore
 * const limits = { tasks: {}, queues: { mail: { max: 10, per: 60_000 } } };
 * const { jobs } = await claimWithinRateLimits(store, { ...params, rateLimits: limits });
 * ```
 */
export async function claimWithinRateLimits(
  store: RateLimitStore,
  params: LimitedClaimParams,
): Promise<LimitedClaim> {
  const { rateLimits: limits, ready = [], onLateError, ...claim } = params;
  const keys = limits ? limitKeysOf(limits, claim.queues) : [];
  if (!limits || keys.length === 0) {
    return { jobs: await store.jobClaim(claim), wakeAt: null, ready: [] };
  }
  // What each limit still lets this claim take: 0 until starts are reserved for it.
  const caps = new Map(keys.map((key) => [key, 0]));
  const reservations: Reservation[] = [];
  const held = new Set<string>();
  const jobs: Job[] = [];
  let toReserve = keys.filter((key) => ready.includes(key));
  try {
    // Each round reserves for limits newly found holding jobs back: at most one per limit.
    for (let round = 0; round <= keys.length && jobs.length < claim.limit; round++) {
      const room = claim.limit - jobs.length;
      const reserved = toReserve.length === 0
        ? []
        : await reserve(store, toReserve, limits, { ...claim, limit: room });
      for (const r of reserved) caps.set(r.key, r.reserved);
      reservations.push(...reserved);
      if (round > 0 && reserved.every((r) => r.reserved === 0)) break;
      const claimed = await store.jobClaimCapped({ ...claim, limit: room, caps: capsOf(caps) });
      jobs.push(...claimed.jobs);
      for (const job of claimed.jobs) {
        for (const key of rateLimitKeys(limits, job.queue, job.task)) {
          caps.set(key, caps.get(key)! - 1);
        }
      }
      // Held back now, or earlier and not reserved for since.
      for (const { key } of reservations) held.delete(key);
      const heldKeys = keysOf(claimed.heldBack);
      for (const key of heldKeys) held.add(key);
      toReserve = heldKeys.filter((key) => !reservations.some((r) => r.key === key));
      if (toReserve.length === 0) break;
    }
  } catch (error) {
    if (jobs.length === 0) throw error;
    onLateError?.(error);
  } finally {
    try {
      await giveBack(store, reservations, caps, { ...claim, limits });
    } catch (error) {
      onLateError?.(error);
    }
  }
  // A window full once the unused starts are out holds jobs back until it frees a start.
  const frees = reservations.flatMap(({ key, starts, read }) => {
    const after = giveBackStarts(starts, { now: claim.now, count: caps.get(key)! });
    const at = lookAgainAt({ read, after, limit: limitOf(limits, key), now: claim.now });
    return at === null ? [] : [at];
  });
  const usedUp = reservations.filter((r) => r.reserved > 0 && caps.get(r.key) === 0);
  return {
    jobs,
    wakeAt: frees.length === 0 ? null : Math.min(...frees),
    ready: [...new Set([...held, ...usedUp.map((r) => r.key)])].sort(),
  };
}

/** The keys of the limits that concern a claim of `queues`. */
const limitKeysOf = (limits: RateLimits, queues: string[]) => [
  ...queues.filter((queue) => Object.hasOwn(limits.queues, queue)).map((q) => `queue:${q}`),
  ...Object.keys(limits.tasks).map((task) => `task:${task}`),
];

/** The keys of the limits behind the caps that held jobs back. */
const keysOf = (heldBack: HeldBack) => [
  ...heldBack.queues.map((queue) => `queue:${queue}`),
  ...heldBack.tasks.map((task) => `task:${task}`),
];

/** The claim caps of what each limit still lets the claim take. */
function capsOf(left: Map<string, number>): ClaimCaps {
  const caps = { tasks: {} as Record<string, number>, queues: {} as Record<string, number> };
  for (const [key, cap] of left) {
    const [kind, name] = splitKey(key);
    caps[kind === "queue" ? "queues" : "tasks"][name] = cap;
  }
  return caps;
}

const splitKey = (key: string) => {
  const at = key.indexOf(":");
  return [key.slice(0, at), key.slice(at + 1)] as const;
};

const addressOf = (key: string) => ({ space: RATE_WINDOW_SPACE, key });

/** Reads the windows of `keys` with their versions. */
async function readWindows(store: RateLimitStore, keys: string[]) {
  const reads = await Promise.all(keys.map((key) => store.recordGet(addressOf(key))));
  return reads.map((read) => ({
    starts: (read?.value ?? []) as number[],
    version: read?.version ?? null,
  }));
}

/** Adds to each window the starts it has free, up to the claim's limit, in one commit. */
async function reserve(
  store: RateLimitStore,
  keys: string[],
  limits: RateLimits,
  { limit: want, now }: { limit: number; now: number },
): Promise<Reservation[]> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const windows = await readWindows(store, keys);
    const checks: RecordCheck[] = [];
    const puts: RecordWrite[] = [];
    const reservations = keys.map((key, i) => {
      const limit = limitOf(limits, key);
      const { starts, reserved } = reserveStarts(windows[i].starts, { limit, now, want });
      if (reserved > 0) {
        checks.push({ ...addressOf(key), version: windows[i].version });
        puts.push({ ...addressOf(key), value: starts, ttlMs: limit.per });
      }
      return { key, reserved, starts, read: starts.slice(0, starts.length - reserved) };
    });
    if (puts.length === 0 || await store.recordCommit({ checks, puts })) return reservations;
  }
  throw new StoreUnavailableError("rate limit windows kept changing; try again");
}

/** Takes the `unused` starts (by key) out of their windows again. */
async function giveBack(
  store: RateLimitStore,
  reservations: Reservation[],
  unused: Map<string, number>,
  { now, limits }: { now: number; limits: RateLimits },
): Promise<void> {
  const left = reservations.filter((r) => unused.get(r.key)! > 0);
  if (left.length === 0) return;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const windows = await readWindows(store, left.map((r) => r.key));
    const checks: RecordCheck[] = [];
    const puts: RecordWrite[] = [];
    left.forEach(({ key }, i) => {
      // A window gone (expired) has nothing left to give back.
      if (windows[i].version === null) return;
      checks.push({ ...addressOf(key), version: windows[i].version });
      const starts = giveBackStarts(windows[i].starts, { now, count: unused.get(key)! });
      puts.push({ ...addressOf(key), value: starts, ttlMs: limitOf(limits, key).per });
    });
    if (puts.length === 0) return;
    if (await store.recordCommit({ checks, puts })) return;
  }
  throw new StoreUnavailableError("rate limit windows kept changing; starts left unused");
}
