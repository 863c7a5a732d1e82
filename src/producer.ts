/**
 * The producer: turns an enqueue request into a stored job. It checks the task exists,
 * validates the input against the task's schema, applies the task's defaults and writes the
 * record with its index entries in one commit. HTTP, the CLI and `task.enqueue()` all come
 * through here.
 *
 * @example
 * ```ts ignore
 * import { Producer } from "./producer.ts";
 * const producer = new Producer({ store, registry });
 * const job = await producer.enqueue({ task: "send_notification", input: { email, message } });
 * ```
 * @module
 */
import type { z } from "zod";
import { type Clock, systemClock } from "./clock.ts";
import { type FieldIssue, InvalidInputError, PayloadTooLargeError } from "./errors.ts";
import { newJobId } from "./ids.ts";
import type { Job } from "./job.ts";
import type { EnqueueRequest, JobProducer } from "./registry/default_producer.ts";
import type { Registry } from "./registry/registry.ts";
import type { Store } from "./store/store.ts";
import { createJob, JOB_DEFAULTS } from "./transitions.ts";

/**
 * Turns zod issues into field issues under a path prefix (`input.email`).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { fieldIssues } from "./producer.ts";
 * const parsed = z.object({ a: z.string() }).safeParse({ a: 1 });
 * if (!parsed.success) console.assert(fieldIssues(parsed.error, "input")[0].path === "input.a");
 * ```
 */
export function fieldIssues(error: z.ZodError, prefix = ""): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((part) => part !== "").join("."),
    message: issue.message,
  }));
}

/** Validates and stores jobs. */
export class Producer implements JobProducer {
  readonly store: Store;
  readonly registry: Registry;
  readonly #clock: Clock;

  constructor({ store, registry, clock = systemClock }: {
    store: Store;
    registry: Registry;
    clock?: Clock;
  }) {
    this.store = store;
    this.registry = registry;
    this.#clock = clock;
  }

  /** Builds the job record of a request, or throws what is wrong with it. Writes nothing. */
  prepare(request: EnqueueRequest): Job {
    const task = this.registry.get(request.task);
    const parsed = task.input.safeParse(request.input);
    if (!parsed.success) throw new InvalidInputError(fieldIssues(parsed.error, "input"));
    const now = this.#clock.now();
    const runAt = request.runAt instanceof Date ? request.runAt.getTime() : request.runAt;
    const job = createJob({
      id: newJobId(now),
      task: task.name,
      input: parsed.data,
      queue: request.queue ?? task.queue,
      priority: request.priority ?? task.priority,
      runAt: runAt ?? (request.delay ? now + request.delay : undefined),
      maxAttempts: request.maxAttempts ?? task.retry?.maxAttempts,
      backoff: { ...JOB_DEFAULTS.backoff, ...task.retry?.backoff },
      timeoutMs: request.timeout ?? task.timeout,
    }, now);
    const bytes = this.store.jobBytes(job);
    if (bytes > this.store.maxJobBytes) {
      throw new PayloadTooLargeError(bytes, this.store.maxJobBytes, "the job (mostly its input)");
    }
    return job;
  }

  /** Validates and stores one job. */
  async enqueue(request: EnqueueRequest): Promise<Job> {
    const job = this.prepare(request);
    await this.store.jobInsertMany({ jobs: [job] });
    return job;
  }

  /** Validates every request first, then stores all of them in one commit, or none. */
  async enqueueMany(requests: EnqueueRequest[]): Promise<Job[]> {
    const jobs = requests.map((request) => this.prepare(request));
    await this.store.jobInsertMany({ jobs });
    return jobs;
  }
}
