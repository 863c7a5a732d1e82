/**
 * Keeps a worker's leases alive while its main thread is blocked. A handler that computes
 * without awaiting (image resizing in JS or WASM) stops the event loop, and with it the
 * heartbeat; without help its lease would lapse, another worker would run the job again,
 * and the first run's result would be thrown away.
 *
 * The keeper is a Web Worker. The main thread stamps a shared clock cell every
 * `leaseMs / 6` and keeps the ids of its running jobs in shared memory
 * (`shared_job_ids.ts`), written before a claimed job's handler can block; jobs let go of
 * leave the list at the next write. When the stamp is older than `leaseMs / 3`, the keeper
 * extends the leases of the listed jobs (re-read first: only jobs still started by this
 * worker, and still within their timeout: a handler blocking past it is wedged, and its
 * lease lapses as if the worker had died). Its store connection, and the store's code, are
 * loaded then, the first time: a worker whose handlers never block pays for an idle
 * isolate only, and no message passes while the main thread is alive. The main thread
 * picks up the keeper's writes as it does any other newer record of its own jobs
 * (heartbeat check, completer re-read).
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
import { SharedJobIds } from "./shared_job_ids.ts";

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
  /** The running jobs' ids, a {@linkcode SharedJobIds} the main thread writes. */
  jobs: SharedArrayBuffer;
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
  readonly #jobs = new SharedJobIds();
  /** The map {@linkcode LeaseKeeper.track} made, whose ids go to `#jobs`. */
  #running: RunningJobs | undefined;
  /** True when `#running` changed since `#jobs` was last written. */
  #changed = false;
  #publishQueued = false;
  #thread: Worker | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #ready: Promise<void> | undefined;
  /** Settles `#ready`; set by `start()`, the thread comes with the first job. */
  #starting: PromiseWithResolvers<void> | undefined;

  constructor(options: LeaseKeeperOptions) {
    this.#o = options;
  }

  /**
   * A map of running jobs whose ids the keeper sees. Call it once: the keeper follows the
   * map it returns.
   *
   * @example
   * ```ts ignore
   * const running: RunningJobs = keeper.track(new Map());
   * ```
   */
  track(running: RunningJobs): RunningJobs {
    const added = () => this.#added();
    const removed = () => this.#changed = true;
    const tracked = new (class extends Map<string, RunningJob> {
      override set(id: string, entry: RunningJob) {
        super.set(id, entry);
        added();
        return this;
      }
      override delete(id: string) {
        // Written with the next job taken on, or the next stamp: the keeper re-reads a
        // record before extending it and leaves alone what this worker no longer has.
        removed();
        return super.delete(id);
      }
    })(running);
    this.#running = tracked;
    return tracked;
  }

  /**
   * Starts the keeper. Its thread and the stamps begin with the first job it hears of, so
   * an idle worker holds no second isolate. Resolves once the thread is up (it opens its
   * store when it first has a lease to extend).
   */
  start(): Promise<void> {
    if (!this.#ready) {
      this.#starting = Promise.withResolvers<void>();
      this.#ready = this.#starting.promise;
      if (this.#running && this.#running.size > 0) this.#spawn();
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
    const init: KeeperInit = {
      type: "init",
      ...this.#o,
      alive: this.#alive,
      jobs: this.#jobs.buffer,
    };
    thread.postMessage(init);
  }

  /** Stops the thread and closes its store, if it opened one. Safe to call more than once. */
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
    this.#publish(); // the jobs let go of since the last write
  }

  #added(): void {
    this.#changed = true;
    if (!this.#thread) this.#spawn();
    if (this.#publishQueued) return;
    this.#publishQueued = true;
    // Written before the handler starts: a claimed job's handler is called after an await.
    // One write per claim, not per job: a claim's jobs are put in `running` together.
    queueMicrotask(() => this.#publish());
  }

  #publish(): void {
    this.#publishQueued = false;
    if (!this.#changed || !this.#running) return;
    this.#changed = false;
    this.#jobs.write(this.#running.keys());
  }
}
