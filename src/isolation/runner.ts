/**
 * The inside of a thread or child process: loads the registry from the tasks module, runs
 * one job at a time with a context whose calls become messages to the worker, and routes
 * `task.enqueue()` to the worker's producer.
 *
 * @example
 * ```ts ignore
 * const runner = new Runner((message) => self.postMessage(message));
 * self.onmessage = (event) => runner.receive(event.data);
 * ```
 * @module
 */
import { Registry } from "../registry/registry.ts";
import { type EnqueueRequest, useProducer } from "../registry/default_producer.ts";
import type { Job } from "../job.ts";
import { errorFrom, errorMessage, type FromRunner, stopReason, type ToRunner } from "./protocol.ts";
import { UnrecoverableError } from "../errors.ts";
import type { StepMethods } from "../registry/define_task.ts";

/** Durable steps write the job's record between steps, which only the worker itself does. */
function stepsNeedInline(): never {
  throw new UnrecoverableError(
    'durable steps (ctx.step, ctx.sleep, ctx.waitForEvent) need isolation: "inline"',
  );
}
const STEPS_NEED_INLINE: StepMethods = {
  step: stepsNeedInline,
  sleep: stepsNeedInline,
  sleepUntil: stepsNeedInline,
  waitForEvent: stepsNeedInline,
};

/**
 * Runs handlers on behalf of a worker.
 *
 * @example
 * ```ts ignore
 * const runner = new Runner(send);
 * await runner.receive({ type: "init", tasksModule: "file:///app/tasks/mod.ts" });
 * ```
 */
export class Runner {
  readonly #send: (message: FromRunner) => void;
  #registry: Registry | undefined;
  readonly #controllers = new Map<string, AbortController>();
  readonly #enqueues = new Map<number, { resolve(job: Job): void; reject(e: Error): void }>();
  #nextRequest = 0;

  constructor(send: (message: FromRunner) => void) {
    this.#send = send;
  }

  /** Handles one message from the worker. */
  async receive(message: ToRunner): Promise<void> {
    switch (message.type) {
      case "init":
        return await this.#load(message.tasksModule);
      case "run":
        return await this.#run(message);
      case "abort":
        this.#controllers.get(message.jobId)?.abort(stopReason(message));
        return;
      case "enqueued": {
        const pending = this.#enqueues.get(message.request);
        this.#enqueues.delete(message.request);
        if (message.job) pending?.resolve(message.job);
        else pending?.reject(errorFrom(message.error ?? { name: "Error", message: "enqueue" }));
      }
    }
  }

  /** Takes the registry from the loaded tasks module, or says why it cannot. */
  use(module: Record<string, unknown>, tasksModule: string): void {
    if (!(module.registry instanceof Registry)) {
      const error = new TypeError(`${tasksModule} exports no task registry named "registry"`);
      this.#send({ type: "failed_to_load", error: errorMessage(error) });
      return;
    }
    this.#registry = module.registry;
    useProducer({ enqueue: (request) => this.#enqueue(request) });
    this.#send({ type: "ready" });
  }

  async #load(tasksModule: string): Promise<void> {
    try {
      const url = new URL(tasksModule);
      if (url.protocol !== "file:") {
        throw new TypeError(`tasks module ${tasksModule} is not a file`);
      }
      // A template starting "file://" is left alone by `deno publish`, where a bare variable
      // is reported as unanalyzable; tasks modules are files (in a compiled binary too).
      this.use(await import(`file://${url.pathname}`), tasksModule);
    } catch (error) {
      this.#send({ type: "failed_to_load", error: errorMessage(error) });
    }
  }

  #enqueue(request: EnqueueRequest): Promise<Job> {
    const id = this.#nextRequest++;
    // The job whose handler asks: one runs at a time, so it is the only one running.
    const jobId = [...this.#controllers.keys()][0] ?? "";
    return new Promise((resolve, reject) => {
      this.#enqueues.set(id, { resolve, reject });
      this.#send({ type: "enqueue", jobId, request: id, enqueue: request });
    });
  }

  async #run(message: Extract<ToRunner, { type: "run" }>): Promise<void> {
    const { jobId } = message;
    const controller = new AbortController();
    this.#controllers.set(jobId, controller);
    try {
      const task = this.#registry!.get(message.task);
      const input = task.input.parse(message.input);
      const value = await task.handler(input, {
        jobId,
        attempt: message.attempt,
        parents: message.parents,
        signal: controller.signal,
        log: (text, fields) => this.#send({ type: "log", jobId, message: text, fields }),
        progress: (value) => this.#send({ type: "progress", jobId, value }),
        ...STEPS_NEED_INLINE,
      });
      const result = value === undefined ? null : JSON.parse(JSON.stringify(value));
      this.#send({ type: "done", jobId, result });
    } catch (error) {
      this.#send({ type: "done", jobId, error: errorMessage(error) });
    } finally {
      this.#controllers.delete(jobId);
    }
  }
}
