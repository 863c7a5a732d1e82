/**
 * Pools of threads and child processes that run handlers for a worker (`isolation:
 * "thread"` and `"process"`). Each runner runs one job at a time and is reused. When a
 * job's signal aborts (timeout, cancel, lost lease, shutdown) the runner's handler sees
 * its `ctx.signal` abort too; a handler still running {@linkcode STOP_GRACE_MS} later has
 * its runner ended and dropped from the pool: a child process is killed (SIGKILL); a thread
 * is terminated, but Deno 2.9.6 cannot stop a thread that never yields (denoland/deno#35657),
 * so such a thread computes on until its handler returns. A runner that dies fails only
 * its own attempt.
 *
 * @example
 * ```ts ignore
 * const sandboxes = new Sandboxes({ tasksModule: "file:///app/tasks/mod.ts", maxIdle: 10 });
 * const result = await sandboxes.run("thread", task, job, ctx);
 * await sandboxes.stop();
 * ```
 * @module
 */
import { JobStopped } from "../errors.ts";
import type { Job } from "../job.ts";
import { currentProducer } from "../registry/default_producer.ts";
import type { Isolation, Task, TaskContext } from "../registry/define_task.ts";
import { type Channel, openProcess, openThread } from "./channels.ts";
import { errorFrom, errorMessage, type FromRunner } from "./protocol.ts";
import type { Logger } from "../log.ts";

/** How long a handler may go on after its signal aborted before its runner is ended. */
export const STOP_GRACE_MS = 100;

/** What {@linkcode Sandboxes} needs. */
export interface SandboxesOptions {
  /** URL of the module that exports `registry`, loaded in every thread and process. */
  tasksModule: string;
  /** Idle runners kept for reuse, across every pool (the worker's concurrency). */
  maxIdle: number;
  /** Where a runner ended for ignoring its signal is reported (`isolation:runner_ended`). */
  logger?: Logger;
}

/** A runner ended while it ran a job: its attempt fails with this. */
export class RunnerExitedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunnerExitedError";
  }
}

interface Current {
  ctx: TaskContext;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

class Slot {
  readonly key: string;
  readonly channel: Channel;
  readonly ready: Promise<void>;
  current: Current | undefined;
  dead = false;

  constructor(key: string, open: (onMessage: (m: FromRunner) => void) => Channel) {
    this.key = key;
    let loaded: (error?: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      loaded = (error) => error ? reject(error) : resolve();
    });
    this.channel = open((message) => {
      if (message.type === "ready") loaded();
      else if (message.type === "failed_to_load") loaded(errorFrom(message.error));
      else this.#receive(message);
    });
    void this.channel.ended.then((why) => {
      this.dead = true;
      loaded(new RunnerExitedError(why));
      this.current?.reject(new RunnerExitedError(why));
      this.current = undefined;
    });
  }

  #receive(message: FromRunner): void {
    const current = this.current;
    if (!current) return;
    switch (message.type) {
      case "log":
        return current.ctx.log(message.message, message.fields);
      case "progress":
        try {
          current.ctx.progress(message.value);
        } catch { /* the runner checked it already */ }
        return;
      case "enqueue":
        currentProducer().enqueue(message.enqueue).then(
          (job) => this.channel.send({ type: "enqueued", request: message.request, job }),
          (error) =>
            this.channel.send({
              type: "enqueued",
              request: message.request,
              error: errorMessage(error),
            }),
        );
        return;
      case "done":
        this.current = undefined;
        if (message.error) current.reject(errorFrom(message.error));
        else current.resolve(message.result);
    }
  }
}

/** Process isolation starts `Deno.execPath()`: that needs `--allow-run`. */
function assertCanSpawn(): void {
  const run = Deno.permissions.querySync({ name: "run", command: Deno.execPath() });
  if (run.state !== "granted") {
    throw new RunnerExitedError(
      `process isolation needs permission to run ${Deno.execPath()} (--allow-run)`,
    );
  }
}

/**
 * The thread and process pools of one worker.
 *
 * @example
 * ```ts ignore
 * const sandboxes = new Sandboxes({ tasksModule, maxIdle: 10 });
 * await sandboxes.run("process", task, job, ctx);
 * ```
 */
export class Sandboxes {
  readonly #o: SandboxesOptions;
  readonly #idle: Slot[] = [];
  readonly #busy = new Set<Slot>();

  constructor(options: SandboxesOptions) {
    this.#o = options;
  }

  /** Runs `job` with `task`'s handler in a thread or process; settles as the handler did. */
  async run(mode: Exclude<Isolation, "inline">, task: Task, job: Job, ctx: TaskContext) {
    const slot = this.#take(mode, task);
    this.#busy.add(slot);
    try {
      await slot.ready.catch((error) => {
        slot.dead = true;
        throw error;
      });
      return await new Promise<unknown>((resolve, reject) => {
        slot.current = { ctx, resolve, reject };
        const { signal } = ctx;
        const onAbort = () => this.#abort(slot, signal.reason);
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
        slot.channel.send({
          type: "run",
          jobId: job.id,
          task: task.name,
          input: job.input,
          attempt: ctx.attempt,
          parents: { ...ctx.parents },
        });
      });
    } finally {
      this.#busy.delete(slot);
      this.#release(slot);
    }
  }

  /** Ends every runner. */
  stop(): Promise<void> {
    const all = [...this.#idle, ...this.#busy];
    this.#idle.length = 0;
    for (const slot of all) slot.channel.kill();
    return Promise.all(all.map((slot) => slot.channel.ended)).then(() => {});
  }

  /** How many runners are alive (idle or busy). */
  get size(): number {
    return this.#idle.length + this.#busy.size;
  }

  #take(mode: Exclude<Isolation, "inline">, task: Task): Slot {
    const own = task.permissions !== undefined || task.memoryMb !== undefined;
    const key = `${mode}:${own ? task.name : ""}`;
    const i = this.#idle.findIndex((slot) => slot.key === key && !slot.dead);
    if (i >= 0) return this.#idle.splice(i, 1)[0];
    const { tasksModule } = this.#o;
    if (mode === "process") assertCanSpawn();
    return new Slot(
      key,
      (onMessage) =>
        mode === "thread"
          ? openThread(tasksModule, task.permissions, onMessage)
          : openProcess(tasksModule, task, onMessage),
    );
  }

  #abort(slot: Slot, reason: unknown): void {
    const stopped = reason instanceof JobStopped ? reason : new JobStopped("canceled", "stopped");
    const jobId = slot.current?.ctx.jobId;
    if (!jobId) return;
    slot.channel.send({ type: "abort", jobId, cause: stopped.cause, message: stopped.message });
    setTimeout(() => {
      if (slot.current?.ctx.jobId !== jobId) return;
      slot.current.reject(stopped);
      slot.current = undefined;
      slot.dead = true;
      slot.channel.kill();
      // A thread that never yields computes on after terminate() (denoland/deno#35657).
      this.#o.logger?.warn("isolation:runner_ended", {
        job_id: jobId,
        runner: slot.key.split(":")[0],
        cause: stopped.cause,
        note: slot.key.startsWith("thread")
          ? "the handler ignored its signal; its thread may compute on until it returns"
          : "the handler ignored its signal; its process was killed",
      });
    }, STOP_GRACE_MS);
  }

  #release(slot: Slot): void {
    if (slot.dead || slot.current) {
      if (!slot.dead) {
        slot.dead = true;
        slot.channel.kill();
      }
      return;
    }
    this.#idle.push(slot);
    while (this.#idle.length > this.#o.maxIdle) this.#idle.shift()!.channel.kill();
  }
}
