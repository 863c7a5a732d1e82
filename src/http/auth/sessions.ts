/**
 * Dashboard sessions kept in the store, so a cookie never holds an API token and logging
 * out really ends a session. A login makes a random 256-bit id (the cookie's value); the
 * store keeps, under the id's SHA-256, the token's role, the SHA-256 of the token, a CSRF
 * value and an expiry, as a keyed record (`src/store/records.ts`, space `session`) with a
 * time to live. A session is valid while it is in the store, not expired, and its
 * token is still configured: logout deletes it, and rotating a token out (restarting with
 * a new one) ends every session that came from the old one. Works on every store.
 *
 * @example
 * ```ts ignore
 * const sessions = new Sessions(store, systemClock, tokens);
 * const { id } = await sessions.create(ADMIN_TOKEN);
 * console.assert((await sessions.resolve(id))?.role === "admin");
 * await sessions.revoke(id);
 * ```
 * @module
 */
import { createHash } from "node:crypto";
import type { Clock } from "../../clock.ts";
import type { Store } from "../../store/store.ts";
import { type ApiTokens, type Role, roleOfHash, tokenHash, tokenRole } from "./tokens.ts";

/** How long a session lasts after login: 12 hours. */
export const SESSION_MS = 12 * 3_600_000;

/** What a login leaves in the store. */
export interface SessionRecord {
  /** The role of the token used to log in, when it was used. */
  role: "admin" | "read";
  /** SHA-256 (hex) of that token: the session ends when the token is no longer configured. */
  tokenHash: string;
  /** The session's CSRF value (the `tq_csrf` cookie must repeat it). */
  csrf: string;
  /** When the session ends (ms since the epoch); a store may keep it a while longer. */
  expiresAt: number;
}

/** The records' space. */
const SPACE = "session";

/** What a valid session allows. */
export interface ActiveSession {
  role: Role;
  /** The value a change made with this session must repeat (`X-TQ-CSRF` or `_csrf`). */
  csrf: string;
}

const randomId = (bytes: number) =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** The store key of a session id: its SHA-256, so the store never holds a usable id. */
const storeKey = (id: string) => createHash("sha256").update(id).digest("hex");

/** A well-formed session id: 43 base64url characters (256 bits). */
const ID = /^[A-Za-z0-9_-]{43}$/;

/** Sessions over a store, for one set of configured tokens. */
export class Sessions {
  readonly #store: Pick<Store, "recordPut" | "recordGet" | "recordDelete">;
  readonly #clock: Clock;
  readonly #tokens: ApiTokens;

  constructor(
    store: Pick<Store, "recordPut" | "recordGet" | "recordDelete">,
    clock: Clock,
    tokens: ApiTokens,
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#tokens = tokens;
  }

  /** Starts a session for `token`; null when it is not a configured token. */
  async create(token: string): Promise<({ id: string } & ActiveSession) | null> {
    const role = tokenRole(this.#tokens, token);
    if (role === null) return null;
    const id = randomId(32);
    const csrf = randomId(18);
    const record: SessionRecord = {
      role,
      tokenHash: tokenHash(token),
      csrf,
      expiresAt: this.#clock.now() + SESSION_MS,
    };
    await this.#store.recordPut({
      space: SPACE,
      key: storeKey(id),
      value: record,
      ttlMs: SESSION_MS,
    });
    return { id, role, csrf };
  }

  /** The session `id` stands for, or null if it was never made, ended, expired or rotated out. */
  async resolve(id: string): Promise<ActiveSession | null> {
    if (!ID.test(id)) return null;
    const record = (await this.#store.recordGet({ space: SPACE, key: storeKey(id) }))
      ?.value as SessionRecord | undefined;
    if (!record || record.expiresAt <= this.#clock.now()) return null;
    // The token's role now, not at login: a token moved to read-only reads only.
    const role = roleOfHash(this.#tokens, record.tokenHash);
    return role === null ? null : { role, csrf: record.csrf };
  }

  /** Ends the session `id` (logout); a no-op for an unknown id. */
  async revoke(id: string): Promise<void> {
    if (ID.test(id)) await this.#store.recordDelete({ space: SPACE, key: storeKey(id) });
  }
}
