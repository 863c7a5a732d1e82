/**
 * A list of job ids in shared memory: the worker's main thread writes it, the lease
 * keeper's thread reads it, and no message passes between them. A `postMessage` per claim
 * woke the keeper's thread, cloned the ids twice and grew the keeper's heap; here a write
 * is one `encodeInto`, and the keeper reads only when it has to act.
 *
 * The buffer grows as the list does (a growable `SharedArrayBuffer`, whose views follow
 * its length in both threads). A sequence number, odd while a write is under way, lets a
 * reader tell a torn read and try again (a seqlock): the writer never waits.
 *
 * @example
 * ```ts
 * import { SharedJobIds } from "./shared_job_ids.ts";
 * const ids = new SharedJobIds();
 * ids.write(["01JD0000000000000000000000", "01JD0000000000000000000001"]);
 * const seen = new SharedJobIds(ids.buffer); // in the other thread
 * console.assert(seen.read().length === 2);
 * ```
 * @module
 */

/** Two `Int32` cells before the text: the sequence number and the text's byte length. */
const HEADER_BYTES = 8;
/** Room for 100 ids (room is kept for 3 bytes a character) before the first growth. */
const INITIAL_BYTES = 8_192;
/** Room for about 800,000 ids: far more jobs than a worker holds at once. */
const MAX_BYTES = 64 * 1024 * 1024;
/** Job ids are ULIDs (`src/ids.ts`): none holds a newline. */
const SEPARATOR = "\n";

/**
 * One list of job ids shared by two threads (see the module doc).
 *
 * @example
 * ```ts
 * import { SharedJobIds } from "./shared_job_ids.ts";
 * const ids = new SharedJobIds();
 * ids.write(new Map([["01JD0000000000000000000000", 1]]).keys());
 * console.assert(ids.read()[0] === "01JD0000000000000000000000");
 * ```
 */
export class SharedJobIds {
  /** The memory to hand to the other thread, which wraps it in its own `SharedJobIds`. */
  readonly buffer: SharedArrayBuffer;
  readonly #header: Int32Array;
  /** Follows the buffer's length as it grows. */
  readonly #text: Uint8Array;

  constructor(
    buffer = new SharedArrayBuffer(HEADER_BYTES + INITIAL_BYTES, { maxByteLength: MAX_BYTES }),
  ) {
    this.buffer = buffer;
    this.#header = new Int32Array(buffer, 0, 2);
    this.#text = new Uint8Array(buffer, HEADER_BYTES);
  }

  /**
   * Replaces the list. Only one thread writes; it never waits for a reader. `RangeError`
   * past 64 MiB of ids, before anything is written.
   */
  write(ids: Iterable<string>): void {
    const text = [...ids].join(SEPARATOR);
    const needed = HEADER_BYTES + text.length * 3; // UTF-8's most bytes per UTF-16 unit
    if (needed > this.buffer.byteLength) {
      this.buffer.grow(Math.max(needed, Math.min(MAX_BYTES, this.buffer.byteLength * 2)));
    }
    Atomics.add(this.#header, 0, 1); // odd: a write is under way
    const { written } = new TextEncoder().encodeInto(text, this.#text);
    Atomics.store(this.#header, 1, written);
    Atomics.add(this.#header, 0, 1); // even again: the list is whole
  }

  /** The list as last written whole (empty before the first write). */
  read(): string[] {
    for (;;) {
      const sequence = Atomics.load(this.#header, 0);
      if (sequence % 2 === 1) continue; // the writer is mid-write; it never blocks there
      const length = Atomics.load(this.#header, 1);
      const text = new TextDecoder().decode(this.#text.slice(0, length));
      if (Atomics.load(this.#header, 0) === sequence) {
        return text === "" ? [] : text.split(SEPARATOR);
      }
    }
  }
}
