/**
 * Cross-process wake-ups for processes sharing one KV file. Deno KV gives none: `watch`
 * sees only its own process's writes and `listenQueue` learns of other processes' messages
 * up to 60 s late (see shared/deno-kv-facts.md). So a writer that makes work ready "rings"
 * a bell file next to the database by setting its mtime to a fresh random value (a ~3 µs
 * syscall), and waiting processes learn of it from the kernel: one `Deno.watchFs` (inotify
 * on Linux) per process, opened at the first wait, which costs nothing while idle and
 * delivers a ring from another process in 0.3–0.8 ms. Where the file system gives no
 * watcher, waiters `stat` the file every `pollMs` instead. Rings within one process wake
 * its waiters at once. A missed ring only delays a claim until the waiter's timeout:
 * correctness never rests on it.
 *
 * A wait compares the file's mtime with the last one a waiter saw, so a ring that came
 * while nobody waited is not lost: the next wait returns at once. Waits time out on the
 * store's clock, so tests move them with a `FakeClock`.
 *
 * @example
 * ```ts ignore
 * const bell = new Doorbell("./data/tq.db.bell", { clock: systemClock });
 * bell.ring();
 * await bell.wait({ timeoutMs: 1_000 });
 * bell.close();
 * ```
 * @module
 */
import { type Clock, systemClock } from "../../clock.ts";

/** Options of a {@linkcode Doorbell}. */
export interface DoorbellOptions {
  /** The clock waits time out on (the store's). */
  clock?: Clock;
  /** How often waiters look at the file where the file system gives no watcher, in ms. */
  pollMs?: number;
}

/** A file whose mtime changes whenever some process has made work ready. */
export class Doorbell {
  readonly #path: string;
  readonly #clock: Clock;
  readonly #pollMs: number;
  /** Wakes this process's waiters: a ring of its own, or a change seen in the file. */
  readonly #events = new EventTarget();
  #lastSeen: number | undefined;
  /** Waits in progress: a change seen while there are none is left for the next wait. */
  #waiting = 0;
  /** The file watcher; `null` once it is known that none can be had. */
  #watcher: Deno.FsWatcher | null | undefined;
  #closed = false;

  constructor(path: string, { clock = systemClock, pollMs = 2 }: DoorbellOptions = {}) {
    this.#path = path;
    this.#clock = clock;
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
    this.#events.dispatchEvent(new Event("ring"));
    try {
      const stamp = 1e9 + Math.random() * 1e9;
      Deno.utimeSync(this.#path, stamp, stamp);
    } catch {
      // Only a hint; other processes fall back to their timeouts.
    }
  }

  /** Resolves on a ring (local or through the file), after `timeoutMs`, or on abort. */
  wait({ timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    // A fake clock ends even a zero sleep only when moved: a wait with no time left is over.
    if (signal?.aborted || this.#closed || timeoutMs <= 0) return Promise.resolve();
    // The watcher is opened before the file is looked at: a ring landing between the two
    // would otherwise be neither seen now nor reported by the watcher, and the wait would
    // sleep to its timeout (30 s for an idle worker's first claim).
    const watching = this.#watch();
    if (this.#rangSinceLastSeen()) {
      // The change is noted for every waiter of this process, so those already waiting hear it
      // now: the file watcher's event for it will find it seen and wake nobody.
      this.#events.dispatchEvent(new Event("ring"));
      return Promise.resolve();
    }
    this.#waiting++;
    return new Promise((resolve) => {
      const timeout = new AbortController();
      const finish = () => {
        if (timeout.signal.aborted) return;
        timeout.abort();
        this.#waiting--;
        clearInterval(poll);
        this.#events.removeEventListener("ring", finish);
        signal?.removeEventListener("abort", finish);
        resolve();
      };
      // The poll stands in for the kernel's watcher: it looks at a real file, so it runs on
      // real time whatever the clock (a fake one would never look); only the timeout is
      // the store's time.
      const poll = watching ? undefined : setInterval(() => this.#lookAtFile(), this.#pollMs);
      void this.#clock.sleep(timeoutMs, timeout.signal).then(finish);
      this.#events.addEventListener("ring", finish, { once: true });
      signal?.addEventListener("abort", finish, { once: true });
    });
  }

  /** Stops watching the file; later waits return at once. */
  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    this.#events.dispatchEvent(new Event("ring"));
  }

  /**
   * Wakes every waiter of this process when the file changed since it was last looked at:
   * all of them at once, as the first to look takes note of the change for all. With no
   * waiter the change is left unseen, so the next wait returns at once.
   */
  #lookAtFile(): void {
    if (this.#waiting > 0 && this.#rangSinceLastSeen()) {
      this.#events.dispatchEvent(new Event("ring"));
    }
  }

  /** True when the file changed since a waiter last looked, and takes note of it. */
  #rangSinceLastSeen(): boolean {
    const seen = this.#mtime();
    if (seen === this.#lastSeen) return false;
    this.#lastSeen = seen;
    return true;
  }

  /** Starts the process's watcher on first use; false when it has none. */
  #watch(): boolean {
    if (this.#watcher === undefined) {
      try {
        this.#watcher = Deno.watchFs(this.#path, { recursive: false });
        this.#forwardChanges(this.#watcher);
      } catch {
        this.#watcher = null;
      }
    }
    return this.#watcher !== null;
  }

  async #forwardChanges(watcher: Deno.FsWatcher): Promise<void> {
    try {
      for await (const _change of watcher) this.#lookAtFile();
    } catch {
      // The watcher failed (the file was removed, say): fall back to polling.
    }
    if (!this.#closed) this.#watcher = null;
  }

  #mtime(): number | undefined {
    try {
      return Deno.statSync(this.#path).mtime?.getTime();
    } catch {
      return undefined;
    }
  }
}
