/**
 * Lease tokens of protocol workers. A claim writes the worker's name as the job's
 * `workerId`, counts the attempt and stamps `startedAt`; the token carries those three
 * (plus the lease length, for heartbeats) and holds the lease exactly while the record
 * still has them and is `started`. Every way of losing a lease changes one of them: a
 * rescue or an end leaves `started`, a new claim counts another attempt or (after a
 * release) stamps another `startedAt`, another worker writes its own name. The record's
 * `version` is not in the token: heartbeats and cancel requests move it while the lease
 * still holds.
 *
 * @example
 * ```ts
 * import { createJob, claimJob } from "../transitions/mod.ts";
 * import { leaseToken, tokenHolds, parseLeaseToken } from "./lease_token.ts";
 * const job = claimJob(createJob({ id: "a", task: "t", input: 1 }, 0), {
 *   workerId: "py-1",
 *   now: 5,
 *   leaseMs: 30_000,
 * });
 * const token = leaseToken(job, 30_000);
 * console.assert(tokenHolds(parseLeaseToken(token)!, job));
 * ```
 * @module
 */
import type { Job } from "../job.ts";

/** What a lease token says. */
export interface LeaseClaim {
  workerId: string;
  attempt: number;
  startedAt: number;
  leaseMs: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toBase64Url(text: string): string {
  const binary = String.fromCharCode(...encoder.encode(text));
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(token: string): string {
  const binary = atob(token.replaceAll("-", "+").replaceAll("_", "/"));
  return decoder.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/**
 * The token of a job just claimed with a lease of `leaseMs`: opaque to workers.
 *
 * @example
 * ```ts ignore
 * const token = leaseToken(claimed, 30_000);
 * ```
 */
export function leaseToken(job: Job, leaseMs: number): string {
  return toBase64Url(`${job.attempts}.${job.startedAt}.${leaseMs}.${job.workerId}`);
}

/**
 * The claim a token carries, or null when it is not a token tq made.
 *
 * @example
 * ```ts
 * import { parseLeaseToken } from "./lease_token.ts";
 * console.assert(parseLeaseToken("nonsense") === null);
 * ```
 */
export function parseLeaseToken(token: string): LeaseClaim | null {
  let text: string;
  try {
    text = fromBase64Url(token);
  } catch {
    return null;
  }
  const match = /^(\d+)\.(\d+)\.(\d+)\.(.+)$/s.exec(text);
  if (!match) return null;
  return {
    attempt: Number(match[1]),
    startedAt: Number(match[2]),
    leaseMs: Number(match[3]),
    workerId: match[4],
  };
}

/**
 * Whether the record is still the attempt the token was handed out for, under lease.
 *
 * @example
 * ```ts ignore
 * if (!tokenHolds(claim, job)) throw new LeaseLostError(job.id, job.state, "…");
 * ```
 */
export function tokenHolds(claim: LeaseClaim, job: Job): boolean {
  return job.state === "started" && job.workerId === claim.workerId &&
    job.attempts === claim.attempt && job.startedAt === claim.startedAt;
}
