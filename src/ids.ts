/**
 * Job ids: ULIDs, monotonic within a process, so ids sort in enqueue order and a listing
 * by id is a listing by age.
 *
 * @example
 * ```ts
 * import { newJobId } from "./ids.ts";
 * const [a, b] = [newJobId(), newJobId()];
 * console.assert(a < b);
 * ```
 * @module
 */
import { monotonicFactory } from "ulid";

const ulid = monotonicFactory();

/** A new job id, greater than every id this process made before. */
export function newJobId(now: number = Date.now()): string {
  return ulid(now);
}

/**
 * `1 + count` new ids in a row: the first, then `count` ids that are each the one before
 * plus one (same time part, random part + 1), so id `i` of the range is
 * `jobIdAfter(first, i)`. Made in one synchronous loop, nothing else can take one of them.
 *
 * @example
 * ```ts
 * import { jobIdAfter, newIdRange } from "./ids.ts";
 * const [first, ...rest] = newIdRange(3);
 * console.assert(rest[2] === jobIdAfter(first, 3));
 * ```
 */
export function newIdRange(count: number, now: number = Date.now()): string[] {
  return Array.from({ length: count + 1 }, () => ulid(now));
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_CHARS = 16;

/**
 * The id `k` places after `id` in a range of {@linkcode newIdRange}: the same time part and
 * the random part plus `k`. `RangeError` if the random part would overflow.
 *
 * @example
 * ```ts
 * import { jobIdAfter } from "./ids.ts";
 * console.assert(jobIdAfter("01JD0000000000000000000000", 33) === "01JD0000000000000000000011");
 * ```
 */
export function jobIdAfter(id: string, k: number): string {
  let random = 0n;
  for (const char of id.slice(-RANDOM_CHARS)) {
    random = random * 32n + BigInt(CROCKFORD.indexOf(char));
  }
  random += BigInt(k);
  let text = "";
  for (let i = 0; i < RANDOM_CHARS; i++, random /= 32n) {
    text = CROCKFORD[Number(random % 32n)] + text;
  }
  if (random > 0n) throw new RangeError(`no id ${k} places after ${id}`);
  return id.slice(0, -RANDOM_CHARS) + text;
}

const JOB_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Whether a string has the shape of a job id.
 *
 * @example
 * ```ts
 * import { isJobId } from "./ids.ts";
 * console.assert(!isJobId("../etc/passwd"));
 * ```
 */
export function isJobId(value: string): boolean {
  return JOB_ID.test(value);
}
