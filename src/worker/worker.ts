/**
 * A worker process's engine: the claim loop feeds the executor, the completer writes the
 * outcomes in batches, the heartbeat keeps leases alive, and the maintenance services
 * (promoter, rescuer, pruner) run alongside, so no separate scheduler process is needed.
 *
 * Stopping is graceful: claims stop, running jobs get `shutdownTimeoutMs` to finish, and
 * the rest are aborted and released to their queue (the attempt does not count) for
 * another worker to pick up.
 *
 * @example
 * ```ts ignore
 * import { Worker } from "./worker.ts";
 * const worker = new Worker({ store, registry, concurrency: 20 });
 * worker.start();
 * Deno.addSignalListener("SIGTERM", () => worker.stop());
 * ```
 * @module
 */
import { type Clock, systemClock } from "../clock.ts";
import { JobStopped } from "../errors.ts";
import { type Logger, silentLogger } from "../log.ts";
import { ExpirySweeper } from "../maintenance/expiry_sweeper.ts";
import { Promoter } from "../maintenance/promoter.ts";
import { Pruner } from "../maintenance/pruner.ts";
import { Rescuer } from "../maintenance/rescuer.ts";
import { BatchWatcher } from "../batches/batch_watcher.ts";
import { CallbackSender } from "../callbacks/callback_sender.ts";
import type { Registry } from "../registry/registry.ts";
import type { Store } from "../store/store.ts";
import { JOB_DEFAULTS } from "../transitions/mod.ts";
import { ClaimLoop } from "./claim_loop.ts";
import { collectRateLimits } from "../guards/rate_limit.ts";
import { Completer } from "./completer.ts";
import { Executor } from "./executor.ts";
import { Heartbeat } from "./heartbeat.ts";
import { LogLines } from "./log_lines.ts";
import { Presence } from "./presence.ts";
import { ProgressWriter } from "./progress.ts";
import { StepWriter } from "./step_writer.ts";
import type { RunningJobs } from "./running_job.ts";
import type { Service } from "../service.ts";
import { WriteLock } from "./write_lock.ts";
import { LeaseKeeper } from "./lease_keeper.ts";
import type { StoreLocation } from "../store/location.ts";
import type { Isolation } from "../registry/define_task.ts";
import { Sandboxes } from "../isolation/sandboxes.ts";
import { WORKER_DEFAULTS } from "../defaults.ts";

/** How a {@linkcode Worker} is set up; only `store` and `registry` are required. */
export interface WorkerOptions {
  store: Store;
  registry: Registry;
  /** Queues in priority order (see {@linkcode registryQueues}). */
  queues?: string[];
  /** Most handlers running at once (10, see `src/defaults.ts`). */
  concurrency?: number;
  /** How long a claim lasts without a heartbeat (30 s). */
  leaseMs?: number;
  /** How long `stop()` lets running jobs finish before releasing them (25 s). */
  shutdownTimeoutMs?: number;
  /** How long finished jobs are kept (24 h). */
  resultTtlMs?: number;
  /** How long failed and canceled jobs are kept (7 days). */
  failureTtlMs?: number;
  /** Unique per process (`hostname:pid:random`). */
  workerId?: string;
  clock?: Clock;
  logger?: Logger;
  /** Callback hosts and CIDRs allowed although internal (see `src/callbacks/egress.ts`). */
  callbackAllow?: readonly string[];
  /**
   * Where `store` lives (`connection.location`). With it, a lease keeper thread with its
   * own connection renews leases while a handler blocks the main thread
   * (`lease_keeper.ts`); without it, only the heartbeat on the main thread does.
   */
  storeLocation?: StoreLocation;
  /** Where handlers of tasks without their own `isolation` run (`inline`). */
  isolation?: Isolation;
  /**
   * URL of the module that exports `registry` (the one `registry` came from): threads and
   * child processes load it to find the handlers. Needed for `thread` and `process`.
   */
  tasksModule?: string | URL;
}

/**
 * A unique worker id: `hostname:pid:random`, so logs and job records say where a job ran.
 *
 * @example
 * ```ts ignore
 * console.log(newWorkerId()); // "web-1:4242:k3j9x2"
 * ```
 */
export function newWorkerId(): string {
  const random = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  return `${Deno.hostname()}:${Deno.pid}:${random}`;
}

/**
 * The queues a worker serves by default: those the registry's tasks name, in task order,
 * then `default` (where jobs go without a queue); never a queue of external tasks, which
 * only protocol workers claim (`src/registry/external.ts`).
 *
 * @example
 * ```ts
 * import { registryQueues } from "./worker.ts";
 * import { Registry } from "../registry/registry.ts";
 * console.assert(registryQueues(new Registry([]))[0] === "default");
 * ```
 */
export function registryQueues(registry: Registry): string[] {
  const named = registry.list().flatMap((task) => task.queue ? [task.queue] : []);
  return [...new Set([...named, JOB_DEFAULTS.queue])].filter((q) =>
    !registry.externalQueues.has(q)
  );
}

/**
 * Runs jobs from a store with the tasks of a registry.
 *
 * @example
 * ```ts ignore
 * const worker = new Worker({ store, registry, queues: ["urgent", "default"], concurrency: 20 });
 * worker.start();
 * await worker.stop();
 * ```
 */
export class Worker {
  /** This worker's id, as written into the jobs it runs. */
  readonly id: string;
  readonly #running: RunningJobs;
  readonly #keeper: LeaseKeeper | undefined;
  readonly #sandboxes: Sandboxes | undefined;
  readonly #claimLoop: ClaimLoop;
  readonly #executor: Executor;
  readonly #completer: Completer;
  readonly #heartbeat: Heartbeat;
  readonly #maintenance: Service[];
  readonly #presence: Presence;
  readonly #lines: LogLines;
  readonly #progress: ProgressWriter;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #shutdownTimeoutMs: number;
  readonly #setup: Record<string, unknown>;
  #started = false;
  #stopping: Promise<void> | undefined;

  constructor(options: WorkerOptions) {
    const { store, registry } = options;
    this.id = options.workerId ?? newWorkerId();
    const clock = this.#clock = options.clock ?? systemClock;
    const logger = this.#logger = (options.logger ?? silentLogger).with({ worker_id: this.id });
    const leaseMs = options.leaseMs ?? WORKER_DEFAULTS.leaseMs;
    const failureTtlMs = options.failureTtlMs ?? WORKER_DEFAULTS.failureTtlMs;
    this.#shutdownTimeoutMs = options.shutdownTimeoutMs ?? WORKER_DEFAULTS.shutdownTimeoutMs;
    const queues = options.queues ?? registryQueues(registry);
    const concurrency = options.concurrency ?? WORKER_DEFAULTS.concurrency;
    this.#setup = { queues, concurrency, lease_ms: leaseMs, isolation: options.isolation };
    const workerId = this.id;
    if (options.storeLocation) {
      this.#keeper = new LeaseKeeper({ location: options.storeLocation, workerId, leaseMs });
    }
    const running = this.#running = this.#keeper?.track(new Map()) ?? new Map();
    const lock = new WriteLock();
    this.#completer = new Completer({
      store,
      running,
      lock,
      workerId,
      clock,
      logger,
      before: () => this.#claimLoop.claimed(),
      written: () => this.#claimLoop.settled(),
    });
    this.#lines = new LogLines({ store, workerId, clock, logger });
    this.#progress = new ProgressWriter({ store, running, lock, clock, logger });
    this.#presence = new Presence({ store, running, workerId, queues, concurrency, clock, logger });
    const isolation = options.isolation ?? "inline";
    const isolated = registry.list().some((t) => (t.isolation ?? isolation) !== "inline");
    if (isolated) {
      if (!options.tasksModule) {
        throw new TypeError("thread and process isolation need the worker's tasksModule");
      }
      const tasksModule = new URL(options.tasksModule).href;
      this.#sandboxes = new Sandboxes({ tasksModule, maxIdle: concurrency, logger });
    }
    const executor = this.#executor = new Executor({
      isolation,
      sandboxes: this.#sandboxes,
      store,
      registry,
      completer: this.#completer,
      running,
      workerId,
      clock,
      logger,
      resultTtlMs: options.resultTtlMs ?? WORKER_DEFAULTS.resultTtlMs,
      failureTtlMs,
      lines: this.#lines,
      progress: this.#progress,
      steps: new StepWriter({ store, lock, workerId }),
    });
    this.#claimLoop = new ClaimLoop({
      store,
      queues,
      workerId,
      concurrency,
      leaseMs,
      rateLimits: collectRateLimits(registry.list(), registry.queueRateLimits),
      clock,
      logger,
      unsettled: () => running.size,
      run: (job) => {
        const done = executor.run(job); // puts the job in `running` before its first await
        this.#heartbeat.jobStarted();
        this.#presence.jobStarted();
        return done;
      },
    });
    this.#heartbeat = new Heartbeat({ store, running, lock, workerId, leaseMs, clock, logger });
    this.#maintenance = [
      new Promoter({ store, clock, logger, failureTtlMs }),
      new ExpirySweeper({ store, clock, logger, failureTtlMs }),
      new Rescuer({ store, clock, logger, failureTtlMs, leaseMs }),
      new Pruner({ store, clock, logger }),
      new BatchWatcher({ store, clock, logger }),
      new CallbackSender({ store, clock, logger, allow: options.callbackAllow }),
    ];
  }

  /** How many claimed jobs are in this worker's hands (running or being written). */
  get running(): number {
    return this.#running.size;
  }

  /**
   * Starts claiming and running jobs, and the maintenance services. Later calls, and calls
   * after `stop()`, do nothing.
   */
  start(): void {
    if (this.#started || this.#stopping) return;
    this.#started = true;
    this.#logger.info("worker:started", this.#setup);
    this.#keeper?.start().catch((error) =>
      this.#logger.error("lease_keeper:error", { error: String(error) })
    );
    this.#heartbeat.start();
    this.#presence.start();
    for (const service of this.#maintenance) service.start();
    this.#claimLoop.start();
  }

  /**
   * Stops gracefully: no new claims; running jobs get `shutdownTimeoutMs` to finish; the
   * rest are aborted and released to their queue. Resolves when everything is written and
   * every service has stopped. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  async #shutdown(): Promise<void> {
    await Promise.all([this.#claimLoop.stop(), ...this.#maintenance.map((s) => s.stop())]);
    const deadline = new AbortController();
    const timedOut = await Promise.race([
      this.#claimLoop.idle().then(() => false),
      this.#clock.sleep(this.#shutdownTimeoutMs, deadline.signal).then(() => true),
    ]);
    deadline.abort();
    if (timedOut) {
      const reason = new JobStopped("shutdown", "worker is shutting down");
      for (const entry of this.#running.values()) entry.stop("shutdown", reason);
      await this.#claimLoop.idle();
    }
    this.#executor.stop();
    await this.#sandboxes?.stop();
    // The heartbeat keeps leases alive until the last settlement is written.
    await this.#progress.stop();
    await this.#completer.stop();
    await this.#heartbeat.stop();
    await this.#lines.flush();
    await this.#presence.stop();
    await this.#keeper?.stop();
    this.#logger.info("worker:stopped", {});
  }
}
