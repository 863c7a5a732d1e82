/**
 * One-at-a-time access to the records of a worker's running jobs. The completer's
 * settlements and the heartbeat's lease extensions both write from the `before` the worker
 * holds; run side by side, one would bump the version under the other and turn a sound
 * settlement into a false "lease lost". Taking turns keeps every `before` current.
 *
 * @example
 * ```ts
 * import { WriteLock } from "./write_lock.ts";
 * const lock = new WriteLock();
 * const order: number[] = [];
 * await Promise.all([
 *   lock.run(async () => void order.push(1)),
 *   lock.run(async () => void order.push(2)),
 * ]);
 * console.assert(order.join() === "1,2");
 * ```
 * @module
 */

/**
 * Runs async sections one after another, in call order.
 *
 * @example
 * ```ts ignore
 * await lock.run(() => store.jobUpdateMany({ updates }));
 * ```
 */
export class WriteLock {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `section` once every section called before it has settled. */
  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(section);
    this.#tail = result.catch(() => {});
    return result;
  }
}
