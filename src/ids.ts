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
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const CHAR_CODES = [...CROCKFORD].map((char) => char.charCodeAt(0));
/** The digit of each character code of `CROCKFORD`. */
const DIGITS = new Int8Array(128);
CHAR_CODES.forEach((code, digit) => DIGITS[code] = digit);

/**
 * The last id's parts, kept as the character codes of its 26 characters: a new id is
 * made by changing them in place (the ulid package built each of the 16 random
 * characters as a string of its own and joined them, most of an enqueue's id garbage).
 */
const last = { time: -1, codes: new Array<number>(TIME_CHARS + RANDOM_CHARS).fill(0) };
const randomBytes = new Uint8Array(RANDOM_CHARS);

/** A new job id, greater than every id this process made before. */
export function newJobId(now: number = Date.now()): string {
  const codes = last.codes;
  if (now > last.time) {
    if (!Number.isInteger(now) || now >= 2 ** 48) throw new RangeError(`no id for time ${now}`);
    last.time = now;
    for (let i = TIME_CHARS - 1, time = now; i >= 0; i--, time = Math.floor(time / 32)) {
      codes[i] = CHAR_CODES[time % 32];
    }
    // A byte's low 5 bits are uniform: 256 is a multiple of 32.
    crypto.getRandomValues(randomBytes);
    for (let i = 0; i < RANDOM_CHARS; i++) codes[TIME_CHARS + i] = CHAR_CODES[randomBytes[i] & 31];
  } else incrementRandom(codes); // Monotonic: the same time part, the random part + 1.
  return String.fromCharCode(...codes);
}

/** Adds one to the random part of `codes`, carrying; throws if it is all `Z`s. */
function incrementRandom(codes: number[]): void {
  for (let i = codes.length - 1; i >= TIME_CHARS; i--) {
    const digit = DIGITS[codes[i]];
    if (digit < 31) {
      codes[i] = CHAR_CODES[digit + 1];
      return;
    }
    codes[i] = CHAR_CODES[0];
  }
  throw new RangeError("no id left in this millisecond");
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
  return Array.from({ length: count + 1 }, () => newJobId(now));
}

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
