/**
 * Cross-process wake-ups for processes sharing one KV file. Deno KV gives none: `watch`
 * sees only its own process's writes and `listenQueue` learns of other processes' messages
 * up to 60 s late (see shared/deno-kv-facts.md). So a writer that makes work ready "rings"
 * a bell file next to the database by setting its mtime to a fresh random value (a ~3 µs
 * syscall), and idle workers `stat` it every `pollMs` (~4 µs), which costs far less than
 * polling the database itself. Rings within one process also wake its waiters at once.
 * A missed ring only delays a claim until the waiter's timeout: correctness never rests on it.
 *
 * @example
 * ```ts ignore
 * const bell = new Doorbell("./data/tq.db.bell");
 * bell.ring();
 * await bell.wait({ timeoutMs: 1_000 });
 * ```
 * @module
 */

/** A file whose mtime changes whenever some process has made work ready. */
export class Doorbell {
  readonly #path: string;
  readonly #pollMs: number;
  readonly #local = new EventTarget();
  #lastSeen: number | undefined;

  constructor(path: string, pollMs = 2) {
    this.#path = path;
    this.#pollMs = pollMs;
    try {
      Deno.writeFileSync(path, new Uint8Array(), { create: true, append: true });
    } catch {
      // A read-only process never rings; waiting still works on timeouts.
    }
    this.#lastSeen = this.#mtime();
  }

  /** Tells every waiter, in this process and others, that work may be ready. */
  ring(): void {
    this.#local.dispatchEvent(new Event("ring"));
    try {
      const stamp = 1e9 + Math.random() * 1e9;
      Deno.utimeSync(this.#path, stamp, stamp);
    } catch {
      // Only a hint; other processes fall back to their timeouts.
    }
  }

  /** Resolves on a ring (local or through the file), after `timeoutMs`, or on abort. */
  wait({ timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearInterval(poll);
        clearTimeout(deadline);
        this.#local.removeEventListener("ring", finish);
        signal?.removeEventListener("abort", finish);
        resolve();
      };
      const poll = setInterval(() => {
        const seen = this.#mtime();
        if (seen !== this.#lastSeen) {
          this.#lastSeen = seen;
          finish();
        }
      }, this.#pollMs);
      const deadline = setTimeout(finish, timeoutMs);
      this.#local.addEventListener("ring", finish, { once: true });
      signal?.addEventListener("abort", finish, { once: true });
    });
  }

  #mtime(): number | undefined {
    try {
      return Deno.statSync(this.#path).mtime?.getTime();
    } catch {
      return undefined;
    }
  }
}
