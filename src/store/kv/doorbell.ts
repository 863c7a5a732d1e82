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
 * The process's waiters share a {@linkcode LocalBell}: a ring of its own, or a change seen
 * in the file, is heard by all of them and counted. A wait resolves to that count; passed
 * back as `since`, it makes the next wait return at once when news came in between, while
 * the waiter was away reading, even if another waiter of the process took the change from
 * the file meanwhile. Waits time out on the store's clock, so tests move them with a
 * `FakeClock`.
 *
 * @example
 * ```ts ignore
 * const bell = new Doorbell("./data/tq.db.bell", { clock: systemClock });
 * let heard = await bell.wait({ since: 0, timeoutMs: 1_000 });
 * // … look for work …
 * heard = await bell.wait({ since: heard, timeoutMs: 1_000 });
 * bell.close();
 * ```
 * @module
 */
import { type Clock, systemClock } from "../../clock.ts";
import { type BellWaitParams, LocalBell } from "./local_bell.ts";

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
  readonly #pollMs: number;
  /** This process's waiters, and the count of news heard: its own rings and file changes. */
  readonly #local: LocalBell;
  /** The file's mtime when this process last looked at it. */
  #lastSeen: number | undefined;
  /** The file watcher; `null` once it is known that none can be had. */
  #watcher: Deno.FsWatcher | null | undefined;
  #closed = false;

  constructor(path: string, { clock = systemClock, pollMs = 2 }: DoorbellOptions = {}) {
    this.#path = path;
    this.#pollMs = pollMs;
    this.#local = new LocalBell(clock);
    try {
      Deno.writeFileSync(path, new Uint8Array(), { create: true, append: true });
    } catch {
      // A read-only process never rings; waiting still works on timeouts.
    }
    this.#lastSeen = this.#mtime();
  }

  /** Tells every waiter, in this process and others, that work may be ready. */
  ring(): void {
    this.#local.ring();
    try {
      const stamp = 1e9 + Math.random() * 1e9;
      Deno.utimeSync(this.#path, stamp, stamp);
    } catch {
      // Only a hint; other processes fall back to their timeouts.
    }
  }

  /**
   * Resolves, to the news heard so far, on a ring (local or through the file; at once for
   * one heard after `since`, or a change in the file not looked at yet), after `timeoutMs`,
   * or on abort.
   */
  wait({ since, timeoutMs, signal }: BellWaitParams): Promise<number> {
    if (this.#closed) return Promise.resolve(this.#local.heard);
    // The watcher is opened before the file is looked at: a ring landing between the two
    // would otherwise be neither seen now nor reported by the watcher, and the wait would
    // sleep to its timeout (30 s for an idle worker's first claim).
    const watching = this.#watch();
    const known = since ?? this.#local.heard;
    // A change found here is heard by the waiters already waiting too: the file watcher's
    // event for it will find it seen.
    this.#lookAtFile();
    const waited = this.#local.wait({ since: known, timeoutMs, signal });
    if (watching) return waited;
    // The poll stands in for the kernel's watcher: it looks at a real file, so it runs on
    // real time whatever the clock (a fake one would never look).
    const poll = setInterval(() => this.#lookAtFile(), this.#pollMs);
    return waited.finally(() => clearInterval(poll));
  }

  /** Stops watching the file; later waits return at once. */
  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    this.#local.close();
  }

  /** Rings this process's waiters when the file changed since the process last looked. */
  #lookAtFile(): void {
    const seen = this.#mtime();
    if (seen === this.#lastSeen) return;
    this.#lastSeen = seen;
    this.#local.ring();
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
