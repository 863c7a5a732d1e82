/**
 * Keeps a worker's leases alive while its main thread is blocked. A handler that computes
 * without awaiting (image resizing in JS or WASM) stops the event loop, and with it the
 * heartbeat; without help its lease would lapse, another worker would run the job again,
 * and the first run's result would be thrown away.
 *
 * The keeper is a Web Worker with its own connection to the store. The main thread stamps
 * a shared clock cell every `leaseMs / 6`; when the stamp is older than `leaseMs / 3`, the
 * keeper extends the leases of the jobs it was told about (re-read first: only jobs still
 * started by this worker, and still within their timeout: a handler blocking past it is
 * wedged, and its lease lapses as if the worker had died). It writes nothing while the main
 * thread is alive, so the fast path costs one `postMessage` per batch of claimed jobs (jobs
 * let go of ride along, or go with the next stamp). The main thread picks
 * up the keeper's writes as it does any other newer record of its own jobs (heartbeat
 * check, completer re-read).
 *
 * @example
 * ```ts ignore
 * const keeper = new LeaseKeeper({ location: { kind: "kv", path: "./data/tq.db" },
 *   workerId, leaseMs: 30_000 });
 * const running = keeper.track(new Map());
 * keeper.start(); // the thread starts with the first job put in `running`
 * await keeper.stop();
 * ```
 * @module
 */
import type { StoreLocation } from "../store/location.ts";
import type { RunningJob, RunningJobs } from "./running_job.ts";

/** What a {@linkcode LeaseKeeper} needs. */
export interface LeaseKeeperOptions {
  location: StoreLocation;
  workerId: string;
  leaseMs: number;
}

/** The first message to the keeper thread. */
export interface KeeperInit extends LeaseKeeperOptions {
  type: "init";
  /** One `BigInt64` cell: epoch ms of the main thread's last stamp. */
  alive: SharedArrayBuffer;
}

/** Jobs the worker took on (`+id`) or let go of (`-id`) since the last message, in order. */
export interface KeeperChanges {
  type: "changes";
  changes: string[];
}

/**
 * The lease keeper of one worker (see the module doc).
 *
 * @example
 * ```ts ignore
 * const keeper = new LeaseKeeper({ location, workerId, leaseMs });
 * keeper.start();
 * ```
 */
export class LeaseKeeper {
  readonly #o: LeaseKeeperOptions;
  readonly #alive = new SharedArrayBuffer(8);
  readonly #stamp = new BigInt64Array(this.#alive);
  #thread: Worker | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #changes: string[] = [];
  #flushQueued = false;
  #ready: Promise<void> | undefined;
  /** Settles `#ready`; set by `start()`, the thread comes with the first job. */
  #starting: PromiseWithResolvers<void> | undefined;

  constructor(options: LeaseKeeperOptions) {
    this.#o = options;
  }

  /**
   * A map of running jobs whose additions and removals the keeper hears of.
   *
   * @example
   * ```ts ignore
   * const running: RunningJobs = keeper.track(new Map());
   * ```
   */
  track(running: RunningJobs): RunningJobs {
    const changed = (change: string) => this.#changed(change);
    return new (class extends Map<string, RunningJob> {
      override set(id: string, entry: RunningJob) {
        changed(`+${id}`);
        return super.set(id, entry);
      }
      override delete(id: string) {
        changed(`-${id}`);
        return super.delete(id);
      }
    })(running);
  }

  /**
   * Starts the keeper. Its thread and the stamps begin with the first job it hears of, so
   * an idle worker holds no second isolate and store connection. Resolves once the thread
   * has its store.
   */
  start(): Promise<void> {
    if (!this.#ready) {
      this.#starting = Promise.withResolvers<void>();
      this.#ready = this.#starting.promise;
      if (this.#changes.length > 0) this.#spawn();
    }
    return this.#ready;
  }

  #spawn(): void {
    const starting = this.#starting;
    if (!starting || this.#thread) return;
    this.#beat();
    this.#timer = setInterval(() => this.#beat(), Math.max(10, this.#o.leaseMs / 6));
    Deno.unrefTimer(this.#timer);
    const thread = this.#thread = new Worker(
      new URL("./lease_keeper_thread.ts", import.meta.url),
      { type: "module" },
    );
    thread.onmessage = (event) => event.data === "ready" && starting.resolve();
    thread.onerror = (event) => {
      event.preventDefault();
      starting.reject(new Error(`lease keeper: ${event.message}`));
    };
    const init: KeeperInit = { type: "init", ...this.#o, alive: this.#alive };
    thread.postMessage(init);
    this.#flush();
  }

  /** Stops the thread and closes its store. Safe to call more than once. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    const thread = this.#thread;
    this.#thread = undefined;
    this.#starting = undefined; // no thread comes after a stop
    if (!thread) return;
    await this.#ready?.catch(() => {});
    const closed = new Promise<void>((resolve) => {
      thread.onmessage = (event) => event.data === "closed" && resolve();
    });
    thread.postMessage({ type: "close" });
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    thread.terminate();
  }

  #beat(): void {
    Atomics.store(this.#stamp, 0, BigInt(Date.now()));
    this.#flush(); // the jobs let go of since the last message
  }

  #changed(change: string): void {
    this.#changes.push(change);
    if (!this.#thread) this.#spawn();
    // A job let go of can wait for the next message: the keeper re-reads a record before
    // extending it and leaves alone what is no longer started by this worker. So only new
    // jobs cost a message, and a drain sends one per claim rather than one per claim and
    // one per batch of settlements.
    if (change[0] === "-" || this.#flushQueued) return;
    this.#flushQueued = true;
    // Sent before the handler starts: a claimed job's handler is called after an await.
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushQueued = false;
    if (!this.#thread || this.#changes.length === 0) return;
    const message: KeeperChanges = { type: "changes", changes: this.#changes };
    this.#changes = [];
    this.#thread.postMessage(message);
  }
}
