/**
 * The assertions tests use, named as in Deno's std (which our machines cannot fetch from
 * JSR), backed by `node:assert/strict`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "./assert.ts";
 * assertEquals({ a: [1] }, { a: [1] });
 * ```
 * @module
 */
import assert from "node:assert/strict";

/** Deep, strict equality. */
export function assertEquals<T>(actual: unknown, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** A truthy value. */
export function assert_(value: unknown, message?: string): asserts value {
  assert.ok(value, message);
}
export { assert_ as assert };

/** Resolves when `fn` rejects (with an instance of `ErrorClass`, if given); returns the error. */
export async function assertRejects<E extends Error = Error>(
  fn: () => Promise<unknown>,
  ErrorClass?: abstract new (...args: never[]) => E,
  messageIncludes?: string,
): Promise<E> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, "expected the promise to reject");
  if (ErrorClass) {
    assert.ok(caught instanceof ErrorClass, `expected ${ErrorClass.name}, got ${caught}`);
  }
  if (messageIncludes) {
    assert.match((caught as Error).message, new RegExp(RegExp.escape(messageIncludes)));
  }
  return caught as E;
}

/** Resolves when `fn` throws (with an instance of `ErrorClass`, if given); returns the error. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: abstract new (...args: never[]) => E,
): E {
  try {
    fn();
  } catch (error) {
    if (ErrorClass) {
      assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${error}`);
    }
    return error as E;
  }
  throw new assert.AssertionError({ message: "expected the function to throw" });
}
