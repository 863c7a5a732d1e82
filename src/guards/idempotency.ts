/**
 * Idempotent enqueues: a request carrying an idempotency key (`idempotency_key` in the
 * body or query, an `Idempotency-Key` header, `EnqueueOptions.idempotencyKey`) creates its
 * job once; a repeat within the key's TTL gets the original job back. Each key is a keyed
 * record (`src/store/records.ts`, space `idempotency`) naming the job it created and until
 * when it holds; {@linkcode insertIdempotent} writes it and the job in one record commit
 * that holds only if the key is still as read, so concurrent repeats create exactly one
 * job. This file also holds the rules of the key and the glue for the routes.
 *
 * @example
 * ```ts
 * import { idempotencyIssues } from "./idempotency.ts";
 * console.assert(idempotencyIssues({ idempotencyKey: "" })[0].path === "idempotency_key");
 * ```
 * @module
 */
import { type FieldIssue, InvalidInputError, StoreUnavailableError } from "../errors.ts";
import type { Job } from "../job.ts";
import { textProblem } from "../input_rules.ts";
import type { EnqueueRequest } from "../registry/default_producer.ts";
import type { Store } from "../store/store.ts";

/** How long a key holds when the request does not say: 24 hours. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 86_400_000;
/** The longest a key may hold: 30 days. */
export const MAX_IDEMPOTENCY_TTL_MS = 30 * 86_400_000;
/** Longest key, in characters. */
export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

/**
 * What is wrong with a request's idempotency options, by the API's field names.
 *
 * @example
 * ```ts
 * import { idempotencyIssues } from "./idempotency.ts";
 * console.assert(idempotencyIssues({ idempotencyTtl: 5 })[0].path === "idempotency_key");
 * ```
 */
export function idempotencyIssues(
  { idempotencyKey: key, idempotencyTtl: ttl, dependsOn }: Pick<
    EnqueueRequest,
    "idempotencyKey" | "idempotencyTtl" | "dependsOn"
  >,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (
    key !== undefined &&
    (typeof key !== "string" || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_CHARS ||
      textProblem(key) !== undefined)
  ) {
    issues.push({
      path: "idempotency_key",
      message: `must be 1-${MAX_IDEMPOTENCY_KEY_CHARS} characters of well-formed Unicode ` +
        "without control characters",
    });
  }
  if (
    ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 1 && ttl <= MAX_IDEMPOTENCY_TTL_MS)
  ) {
    issues.push({
      path: "idempotency_ttl",
      message: `must be whole milliseconds from 1 to ${MAX_IDEMPOTENCY_TTL_MS}`,
    });
  }
  if (key !== undefined && dependsOn !== undefined) {
    // The key's insert is its own atomic write; linking to parents is another (src/flows/).
    issues.push({ path: "idempotency_key", message: "not taken together with depends_on" });
  }
  if (ttl !== undefined && key === undefined) {
    issues.push({ path: "idempotency_key", message: "required with idempotency_ttl" });
  }
  return issues;
}

/**
 * The key of a request from its field and its `Idempotency-Key` header: either may be
 * given, or both if they agree.
 *
 * @example
 * ```ts
 * import { requestKey } from "./idempotency.ts";
 * console.assert(requestKey("a", undefined) === "a" && requestKey(undefined, "b") === "b");
 * ```
 */
export function requestKey(
  field: string | undefined,
  header: string | undefined,
): string | undefined {
  if (field !== undefined && header !== undefined && field !== header) {
    throw new InvalidInputError([{
      path: "idempotency_key",
      message: "differs from the Idempotency-Key header; send one of them",
    }]);
  }
  return field ?? header;
}

/** A new job, or the one an idempotency key already stood for. */
export interface EnqueueOutcome {
  job: Job;
  /** False when the key held: nothing was written and `job` is the original. */
  created: boolean;
  /** True when a debounced request joined the job waiting for its key (`./debounce.ts`). */
  debounced?: boolean;
}

/** The record space of idempotency keys. */
export const IDEMPOTENCY_SPACE = "idempotency";

/** Reads and tries again this many times while other writers change the key. */
const ATTEMPTS = 20;

/** What {@linkcode insertIdempotent} takes. */
export interface IdempotentInsertParams {
  /** The job to insert (from `Producer.prepare`); its `createdAt` is "now" for the key. */
  job: Job;
  /** Chosen by the client: repeats carrying it within `ttlMs` get the first job back. */
  key: string;
  /** How long the key holds, from `job.createdAt`. */
  ttlMs: number;
}

/** The record behind a key: the job it created and when the key stops holding (epoch ms). */
export interface IdempotencyRecord {
  jobId: string;
  expiresAt: number;
}

/**
 * Inserts `job` unless `key` still holds: set within `ttlMs` before `job.createdAt` and its
 * job not deleted; then nothing is written and that job is the answer. The key's record and
 * the job are one record commit checked against the key as read, so of concurrent repeats
 * exactly one commits and the others read again and find its job. Throws
 * `StoreUnavailableError` when the key keeps changing under it.
 *
 * @example
 * ```ts ignore
 * const { job, created } = await insertIdempotent(store, { job: prepared, key: "order-42", ttlMs: DEFAULT_IDEMPOTENCY_TTL_MS });
 * ```
 */
export async function insertIdempotent(
  store: Pick<Store, "recordGet" | "recordCommit" | "jobGet">,
  { job, key, ttlMs }: IdempotentInsertParams,
): Promise<EnqueueOutcome> {
  const address = { space: IDEMPOTENCY_SPACE, key };
  const record: IdempotencyRecord = { jobId: job.id, expiresAt: job.createdAt + ttlMs };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const read = await store.recordGet(address);
    const held = read?.value as IdempotencyRecord | undefined;
    if (held && held.expiresAt > job.createdAt) {
      const first = await store.jobGet(held.jobId);
      if (first) return { job: first, created: false };
    }
    const written = await store.recordCommit({
      checks: [{ ...address, version: read?.version ?? null }],
      puts: [{ ...address, value: record, ttlMs }],
      jobs: [job],
    });
    if (written) return { job, created: true };
  }
  throw new StoreUnavailableError(`idempotency key "${key}" kept changing; try again`);
}
