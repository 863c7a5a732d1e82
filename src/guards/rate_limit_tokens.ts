/**
 * Rate-limited claims, written once above the store. Each limit's window is a keyed record
 * (space {@linkcode RATE_WINDOW_SPACE}, key `task:<name>` or `queue:<name>`, value the start
 * times inside it, `rate_limit_window.ts`). A claim that may take limited jobs:
 *
 * 1. reserves starts: reads the windows and, in one record commit checked against the
 *    versions read, adds as many starts at `now` as each has free (at most the claim's
 *    limit); a commit that lost a race is read and tried again;
 * 2. claims with caps equal to what it reserved (`JobClaimParams.caps`): the store takes at
 *    most that many jobs per limited task and queue, and claims jobs of other tasks past
 *    them; a job held back stays queued, using no attempt;
 * 3. gives back the starts it did not use (a versioned write, tried again on a conflict).
 *
 * A claimant that finds a window full while another holds a reservation in it looks again
 * once that reservation has settled (`lookAgainAt`), not only when the window frees a start.
 * (Waking idle claimants at each give-back instead would keep idle workers waking each other:
 * each look reserves and gives back.)
 *
 * Two claimants can never both take a window's last start: the reservation is checked. A
 * crash (or a failed write) between reserving and giving back leaves the unused starts in
 * the window until they leave it: the window is under-used, never over-used. A claim with
 * limits costs two store round trips more than a plain one (the windows' reads, made at
 * once, and the reservation), and two more when starts are left over (read and give back);
 * claims of workers without limits are plain.
 *
 * Windows kept by tq before this module (KV `["rate", key]`, Redis `<prefix>:rate:<key>`,
 * PostgreSQL's `rate_windows`) are not moved: a window holds at most a day of starts, so an
 * upgrade forgets at most the starts of the one window it falls in (a limit may then be
 * exceeded once, up to twice over, as it is anyway while old and new workers run side by
 * side, each with its own windows). The KV and Redis ones expire by themselves.
 *
 * @example
 * ```ts ignore
 * const { jobs, wakeAt } = await claimWithinRateLimits(store, {
 *   queues: ["mail"], workerId, limit: 10, leaseMs: 30_000, now: clock.now(),
 *   rateLimits: { tasks: { send: { max: 5, per: 1_000 } }, queues: {} },
 * });
 * ```
 * @module
 */
import { StoreUnavailableError } from "../errors.ts";
import type { Job } from "../job.ts";
import type { JobClaimParams, Store } from "../store/store.ts";
import type { RecordCheck, RecordWrite } from "../store/records.ts";
import { limitOf, rateLimitKeys, type RateLimits } from "./rate_limit.ts";
import { giveBackStarts, lookAgainAt, reserveStarts } from "./rate_limit_window.ts";

/** The keyed-record space of rate limit windows. */
export const RATE_WINDOW_SPACE = "rate_window";

/** Tries of a window write that keeps losing races before the claim gives up. */
const ATTEMPTS = 20;

/** The part of the store rate-limited claims use. */
export type RateLimitStore = Pick<Store, "recordGet" | "recordCommit" | "jobClaim">;

/** What {@linkcode claimWithinRateLimits} answers. */
export interface LimitedClaim {
  /** The jobs claimed, as `jobClaim` answers them. */
  jobs: Job[];
  /** When a window that was full after this claim admits a start again; null if none was. */
  wakeAt: number | null;
}

/** A claim with rate limits, and what to do when giving back unused starts fails. */
export interface LimitedClaimParams extends Omit<JobClaimParams, "caps"> {
  /** Without (or with none that concern the claim), the claim is the store's plain one. */
  rateLimits?: RateLimits;
  /**
   * Told of an error while giving back unused starts. The claim still answers its jobs
   * (they are claimed, and must run); the window is only under-used until they leave it.
   */
  onGiveBackError?: (error: unknown) => void;
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
  const { rateLimits: limits, onGiveBackError, ...claim } = params;
  if (!limits) return { jobs: await store.jobClaim(claim), wakeAt: null };
  const keys = [
    ...claim.queues.filter((queue) => Object.hasOwn(limits.queues, queue)).map((q) => `queue:${q}`),
    ...Object.keys(limits.tasks).map((task) => `task:${task}`),
  ];
  if (keys.length === 0) return { jobs: await store.jobClaim(claim), wakeAt: null };
  const reservations = await reserve(store, keys, limits, claim);
  const caps = { tasks: {} as Record<string, number>, queues: {} as Record<string, number> };
  for (const { key, reserved } of reservations) {
    const [kind, name] = splitKey(key);
    caps[kind === "queue" ? "queues" : "tasks"][name] = reserved;
  }
  let jobs: Job[] = [];
  const unused = new Map(reservations.map((r) => [r.key, r.reserved]));
  try {
    jobs = await store.jobClaim({ ...claim, caps });
  } finally {
    for (const job of jobs) {
      for (const key of rateLimitKeys(limits, job.queue, job.task)) {
        unused.set(key, unused.get(key)! - 1);
      }
    }
    try {
      await giveBack(store, reservations, unused, { ...claim, limits });
    } catch (error) {
      onGiveBackError?.(error);
    }
  }
  // A window full once the unused starts are out holds jobs back until it frees a start.
  const frees = reservations.flatMap(({ key, starts, read }) => {
    const after = giveBackStarts(starts, { now: claim.now, count: unused.get(key)! });
    const at = lookAgainAt({ read, after, limit: limitOf(limits, key), now: claim.now });
    return at === null ? [] : [at];
  });
  return { jobs, wakeAt: frees.length === 0 ? null : Math.min(...frees) };
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
