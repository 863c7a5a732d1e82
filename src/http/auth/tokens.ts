/**
 * API tokens and their roles. An `admin` token may do everything; a `read` token may only
 * read (GET and HEAD: jobs, queues, tasks, metrics). Tokens are compared in constant time:
 * both sides are hashed to 32 bytes first, so neither their content nor their length leaks
 * through timing, and every configured token is compared every time.
 *
 * @example
 * ```ts
 * import { tokenRole } from "./tokens.ts";
 * const tokens = { admin: ["s3cret-admin"], read: ["s3cret-read"] };
 * console.assert(tokenRole(tokens, "s3cret-read") === "read");
 * console.assert(tokenRole(tokens, "guess") === null);
 * ```
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash, timingSafeEqual } from "node:crypto";

/** The tokens a server accepts, by role; both lists empty means "no authentication". */
export interface ApiTokens {
  /** Full access: enqueue, retry, cancel, delete, pause, and everything a reader may do. */
  admin: string[];
  /** Reading jobs, queues, tasks and metrics only. */
  read: string[];
}

/** What a token allows. */
export type Role = "admin" | "read";

/** Shortest token accepted: shorter ones are guessable. */
export const MIN_TOKEN_CHARS = 16;

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * The role of `candidate`, or null when it matches no token. Constant time in the
 * candidate's content and length.
 *
 * @example
 * ```ts
 * import { tokenRole } from "./tokens.ts";
 * console.assert(tokenRole({ admin: ["a".repeat(16)], read: [] }, "a".repeat(16)) === "admin");
 * ```
 */
export function tokenRole(tokens: ApiTokens, candidate: string): Role | null {
  const given = digest(candidate);
  let role: Role | null = null;
  for (const token of tokens.read) {
    if (timingSafeEqual(given, digest(token))) role = "read";
  }
  for (const token of tokens.admin) {
    if (timingSafeEqual(given, digest(token))) role = "admin";
  }
  return role;
}

/**
 * The SHA-256 of `token` in hex: what a session records of the token it came from.
 *
 * @example
 * ```ts
 * import { tokenHash } from "./tokens.ts";
 * console.assert(tokenHash("x").length === 64);
 * ```
 */
export function tokenHash(token: string): string {
  return digest(token).toString("hex");
}

/**
 * The role of the configured token whose {@linkcode tokenHash} is `hash`, or null when no
 * configured token has it any more (it was rotated out). Compares every token every time.
 *
 * @example
 * ```ts
 * import { roleOfHash, tokenHash } from "./tokens.ts";
 * const tokens = { admin: ["a".repeat(16)], read: [] };
 * console.assert(roleOfHash(tokens, tokenHash("a".repeat(16))) === "admin");
 * ```
 */
export function roleOfHash(tokens: ApiTokens, hash: string): Role | null {
  const given = Buffer.from(/^[0-9a-f]{64}$/.test(hash) ? hash : "0".repeat(64), "hex");
  let role: Role | null = null;
  for (const token of tokens.read) {
    if (timingSafeEqual(given, digest(token))) role = "read";
  }
  for (const token of tokens.admin) {
    if (timingSafeEqual(given, digest(token))) role = "admin";
  }
  return role;
}

/**
 * Whether any token is configured, i.e. whether requests must authenticate.
 *
 * @example
 * ```ts
 * import { authRequired } from "./tokens.ts";
 * console.assert(!authRequired({ admin: [], read: [] }));
 * ```
 */
export function authRequired(tokens: ApiTokens | undefined): tokens is ApiTokens {
  return tokens !== undefined && tokens.admin.length + tokens.read.length > 0;
}

/**
 * Checks a token read from the environment or a file: trimmed, and long enough.
 *
 * @example
 * ```ts
 * import { checkToken } from "./tokens.ts";
 * console.assert(checkToken("TQ_API_TOKEN", "  0123456789abcdef\n") === "0123456789abcdef");
 * ```
 */
export function checkToken(source: string, raw: string): string {
  const token = raw.trim();
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
    throw new RangeError(
      `${source}: a token must be at least ${MIN_TOKEN_CHARS} characters without spaces`,
    );
  }
  return token;
}
