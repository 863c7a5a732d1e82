/**
 * Dashboard sessions as a store keeps them: one record per login, found by the SHA-256 of
 * its random id (the store never holds the id a cookie carries, nor any API token), with
 * an expiry after which the store may drop it and readers must ignore it.
 *
 * @example
 * ```ts
 * import type { SessionRecord } from "./sessions.ts";
 * const live = (s: SessionRecord, now: number) => s.expiresAt > now;
 * ```
 * @module
 */

/** What a login leaves in the store. */
export interface SessionRecord {
  /** The role of the token used to log in, when it was used. */
  role: "admin" | "read";
  /** SHA-256 (hex) of that token: the session ends when the token is no longer configured. */
  tokenHash: string;
  /** The session's CSRF value (the `tq_csrf` cookie must repeat it). */
  csrf: string;
  /** When the session ends (ms since the epoch). */
  expiresAt: number;
}
