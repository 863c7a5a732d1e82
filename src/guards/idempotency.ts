/**
 * Idempotent enqueues: a request carrying an idempotency key (`idempotency_key` in the
 * body or query, an `Idempotency-Key` header, `EnqueueOptions.idempotencyKey`) creates its
 * job once; a repeat within the key's TTL gets the original job back. The store enforces
 * it atomically (`Store.jobInsertIdempotent`); this file holds the rules of the key and
 * the glue for the routes.
 *
 * @example
 * ```ts
 * import { idempotencyIssues } from "./idempotency.ts";
 * console.assert(idempotencyIssues({ idempotencyKey: "" })[0].path === "idempotency_key");
 * ```
 * @module
 */
import { type FieldIssue, InvalidInputError } from "../errors.ts";
import type { Job } from "../job.ts";
import { textProblem } from "../input_rules.ts";
import type { EnqueueRequest } from "../registry/default_producer.ts";

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
