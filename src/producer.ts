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
import {
  type FieldIssue,
  InvalidInputError,
  PayloadTooLargeError,
  TransactionUnsupportedError,
} from "./errors.ts";
import { newJobId } from "./ids.ts";
import { InsertBatcher } from "./insert_batcher.ts";
import type { Job } from "./job.ts";
import type { Logger } from "./log.ts";
import type { EnqueueRequest, EventToSend } from "./registry/default_producer.ts";
import type { Registry } from "./registry/registry.ts";
import type { Store } from "./store/store.ts";
import { activeTraceparent } from "./trace_context.ts";
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type EnqueueOutcome,
  idempotencyIssues,
  insertIdempotent,
} from "./guards/idempotency.ts";
import { createJob, JOB_DEFAULTS } from "./transitions/mod.ts";
import { dependsOnIssues } from "./flows/depends_on.ts";
import { groupIssues } from "./guards/group.ts";
import { concurrencyOf, type TaskConcurrency } from "./guards/concurrency.ts";
import { debounceIssues, insertDebounced } from "./guards/debounce.ts";
import { callbackUrlIssues } from "./callbacks/callback_url.ts";
import { queueKindIssues } from "./registry/external.ts";
import { CallbackEgress } from "./callbacks/egress.ts";
import { batchEnqueue, type BatchRequest } from "./batches/enqueue_batch.ts";
import { MAX_AHEAD_MS, textProblem, timeProblem } from "./input_rules.ts";
import type { BulkResult } from "./batches/bulk_enqueue.ts";
import { sendEventTo } from "./steps/events.ts";
import { insertWithin } from "./flows/linked_store.ts";

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

const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Longest per-attempt timeout: timers overflow past 2^31-1 ms and would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * What is wrong with a request's options, by the field names the HTTP API uses. The API
 * checks these too; this keeps TypeScript callers and the CLI to the same rules.
 *
 * @example
 * ```ts
 * import { optionIssues } from "./producer.ts";
 * console.assert(optionIssues({ task: "t", input: {}, maxAttempts: 0 })[0].path === "max_attempts");
 * ```
 */
export function optionIssues(
  request: EnqueueRequest,
  now = Date.now(),
  egress?: CallbackEgress,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const check = (ok: boolean, path: string, message: string) => {
    if (!ok) issues.push({ path, message });
  };
  const whole = (value: number | undefined, min: number, max: number) =>
    value === undefined || (Number.isInteger(value) && value >= min && value <= max);
  check(
    request.queue === undefined || QUEUE_NAME.test(request.queue),
    "queue",
    "must be 1-64 characters of letters, digits, _ . -",
  );
  check(
    whole(request.priority, -1000, 1000),
    "priority",
    "must be a whole number from -1000 to 1000",
  );
  check(whole(request.maxAttempts, 1, 100), "max_attempts", "must be a whole number from 1 to 100");
  check(
    whole(request.timeout, 1, MAX_TIMEOUT_MS),
    "timeout",
    `must be whole milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
  );
  check(
    whole(request.delay, 0, MAX_AHEAD_MS),
    "delay",
    `must be whole milliseconds from 0 to ${MAX_AHEAD_MS} (10 years)`,
  );
  const runAt = request.runAt instanceof Date ? request.runAt.getTime() : request.runAt;
  const runAtProblem = runAt === undefined
    ? undefined
    : typeof runAt !== "number" || Number.isNaN(runAt)
    ? "must be a valid time"
    : timeProblem(runAt, now);
  check(runAtProblem === undefined, "run_at", runAtProblem ?? "");
  const groupProblem = typeof request.group === "string" ? textProblem(request.group) : undefined;
  check(groupProblem === undefined, "group", groupProblem ?? "");
  check(
    request.delay === undefined || runAt === undefined,
    "delay",
    "give delay or run_at, not both",
  );
  issues.push(...expiryIssues(request, runAt ?? now + (request.delay ?? 0), now));
  issues.push(...idempotencyIssues(request));
  issues.push(...groupIssues(request));
  issues.push(...debounceIssues(request));
  issues.push(...callbackUrlIssues(request.callbackUrl, egress));
  return issues;
}

/**
 * What is wrong with a request's expiry (`expires_in`, `expires_at`), given the time the
 * job may start at the earliest (`startAt`): an expiry at or before it would never run.
 */
function expiryIssues(request: EnqueueRequest, startAt: number, now: number): FieldIssue[] {
  const { expiresIn } = request;
  const expiresAt = request.expiresAt instanceof Date
    ? request.expiresAt.getTime()
    : request.expiresAt;
  if (expiresIn !== undefined && expiresAt !== undefined) {
    return [{ path: "expires_at", message: "give expires_in or expires_at, not both" }];
  }
  if (expiresIn !== undefined) {
    if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_AHEAD_MS) {
      return [{
        path: "expires_in",
        message: `must be whole milliseconds from 1 to ${MAX_AHEAD_MS} (10 years)`,
      }];
    }
    return now + expiresIn > startAt ? [] : [{
      path: "expires_in",
      message: "must end after the job's start time (delay or run_at)",
    }];
  }
  if (expiresAt === undefined) return [];
  const problem = typeof expiresAt !== "number" || Number.isNaN(expiresAt)
    ? "must be a valid time"
    : timeProblem(expiresAt, now) ??
      (expiresAt > startAt
        ? undefined
        : "must be after the job's start time (now, delay or run_at)");
  return problem ? [{ path: "expires_at", message: problem }] : [];
}

/** The epoch ms by which a request's job must start, if it expires. */
function startByOf(request: EnqueueRequest, now: number): number | undefined {
  if (request.expiresAt !== undefined) {
    return request.expiresAt instanceof Date ? request.expiresAt.getTime() : request.expiresAt;
  }
  return request.expiresIn === undefined ? undefined : now + request.expiresIn;
}

/**
 * Validates and stores jobs: tq's one producer type, which HTTP, the CLI, schedules, flows,
 * batches and `task.enqueue()` all take.
 */
export class Producer {
  readonly store: Store;
  readonly registry: Registry;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #egress: CallbackEgress;
  /** Single enqueues made at about the same time share one commit (group commit). */
  readonly #inserts: InsertBatcher;

  constructor({ store, registry, clock = systemClock, logger, callbackAllow }: {
    store: Store;
    registry: Registry;
    clock?: Clock;
    /** Gets a `job:enqueued` line (job id, task, queue) per stored job. */
    logger?: Logger;
    /** Callback hosts and CIDRs allowed although internal (see `src/callbacks/egress.ts`). */
    callbackAllow?: readonly string[];
  }) {
    this.#egress = new CallbackEgress(callbackAllow);
    this.store = store;
    this.registry = registry;
    this.#clock = clock;
    this.#logger = logger;
    this.#inserts = new InsertBatcher(store);
  }

  /**
   * Builds the job record of a request, or throws what is wrong with it. Writes nothing.
   * The job gets `id` when the caller has one (a bulk request's jobs do), else a new one.
   * A debounced request is refused: only a single enqueue (`enqueueOnce`) can join a job.
   */
  prepare(request: EnqueueRequest, id?: string): Job {
    if (request.debounce !== undefined) {
      const message = "taken by a single enqueue only (POST /jobs, task.enqueue())";
      throw new InvalidInputError([{ path: "debounce", message }]);
    }
    return this.#build(request, id).job;
  }

  /** The job of a request and its size (`store.jobBytes`), measured once for its guards. */
  #build(request: EnqueueRequest, id?: string): { job: Job; bytes: number } {
    const task = this.registry.get(request.task);
    const parsed = task.input.safeParse(request.input);
    const now = this.#clock.now();
    const issues = [
      ...optionIssues(request, now, this.#egress),
      ...dependsOnIssues(request.dependsOn),
      ...queueKindIssues(
        task,
        request.queue ?? task.queue ?? JOB_DEFAULTS.queue,
        this.registry.externalQueues,
      ),
      ...(parsed.success ? [] : fieldIssues(parsed.error, "input")),
    ];
    if (!parsed.success || issues.length > 0) throw new InvalidInputError(issues);
    const { concurrency, issues: keyIssues } = concurrencyOf(
      { name: task.name, concurrency: task.concurrency as TaskConcurrency | undefined },
      request,
      parsed.data,
    );
    if (keyIssues.length > 0) throw new InvalidInputError(keyIssues);
    const runAt = request.runAt instanceof Date ? request.runAt.getTime() : request.runAt;
    const job = createJob({
      id: id ?? newJobId(now),
      task: task.name,
      input: parsed.data,
      queue: request.queue ?? task.queue,
      priority: request.priority ?? task.priority,
      runAt: runAt ?? (request.delay ? now + request.delay : undefined),
      maxAttempts: request.maxAttempts ?? task.retry?.maxAttempts,
      backoff: { ...JOB_DEFAULTS.backoff, ...task.retry?.backoff },
      timeoutMs: request.timeout ?? task.timeout,
      dependsOn: request.dependsOn,
      group: request.group,
      concurrency,
      callbackUrl: request.callbackUrl,
      startBy: startByOf(request, now),
    }, now);
    const traceparent = activeTraceparent();
    if (traceparent) job.traceparent = traceparent;
    const bytes = this.store.jobBytes(job);
    if (bytes > this.store.maxJobBytes) {
      throw new PayloadTooLargeError(bytes, this.store.maxJobBytes, "the job (mostly its input)");
    }
    return { job, bytes };
  }

  /** Validates and stores one job (with an idempotency key: at most once per key). */
  async enqueue(request: EnqueueRequest): Promise<Job> {
    return (await this.enqueueOnce(request)).job;
  }

  /**
   * Like `enqueue`, and says whether the job is new, an idempotency key's original or the
   * waiting job a debounced request joined.
   */
  async enqueueOnce(request: EnqueueRequest): Promise<EnqueueOutcome> {
    const { job, bytes } = this.#build(request);
    if (request.transaction !== undefined) {
      return { job: await this.#insertWithin(job, request), created: true };
    }
    if (request.debounce !== undefined) {
      const outcome = await insertDebounced(this.store, { job, debounce: request.debounce });
      if (outcome.created) this.#logEnqueued(outcome.job);
      else {
        const { id, task, runAt } = outcome.job;
        this.#logger?.info("job:debounced", { job_id: id, task, run_at: runAt });
      }
      return { ...outcome, debounced: !outcome.created };
    }
    if (request.idempotencyKey === undefined) {
      await this.#inserts.insert(job, bytes);
      this.#logEnqueued(job);
      // Linking may have promoted or canceled it already (parents finished or failed).
      if (job.dependsOn) return { job: await this.store.jobGet(job.id) ?? job, created: true };
      return { job, created: true };
    }
    const outcome = await insertIdempotent(this.store, {
      job,
      key: request.idempotencyKey,
      ttlMs: request.idempotencyTtl ?? DEFAULT_IDEMPOTENCY_TTL_MS,
    });
    if (outcome.created) this.#logEnqueued(outcome.job);
    return outcome;
  }

  /**
   * Validates each request on its own and stores the valid ones as one batch, with an
   * optional completion job; with an idempotency key, at most once (see
   * `src/batches/enqueue_batch.ts`).
   */
  enqueueBatch(request: BatchRequest): Promise<BulkResult> {
    return batchEnqueue({ producer: this, store: this.store, request, now: this.#clock.now() });
  }

  /** Validates every request first, then stores all of them in one commit, or none. */
  async enqueueMany(requests: EnqueueRequest[]): Promise<Job[]> {
    const jobs = requests.map((request) => this.prepare(request));
    await this.store.jobInsertMany({ jobs });
    jobs.forEach((job) => this.#logEnqueued(job));
    return jobs;
  }

  /**
   * Sends an event to the jobs waiting for it (`ctx.waitForEvent`), and keeps it for those
   * that reach their wait later (`EVENT_TTL_MS`); answers how many jobs it woke. Throws
   * `InvalidInputError` naming each bad field.
   */
  async sendEvent(request: EventToSend): Promise<{ woken: number }> {
    const sent = await sendEventTo(this.store, this.#clock, request);
    this.#logger?.info("event:sent", { event: request.event, key: request.key, ...sent });
    return sent;
  }

  /**
   * Writes `job` in the caller's transaction, past the group commit: it must be part of
   * that transaction, not of a batch of other callers' jobs.
   */
  async #insertWithin(job: Job, request: EnqueueRequest): Promise<Job> {
    if (!this.store.within) {
      throw new TransactionUnsupportedError(this.store.constructor.name);
    }
    if (request.idempotencyKey !== undefined) {
      throw new InvalidInputError([{
        path: "transaction",
        message: "give a transaction or an idempotency key, not both",
      }]);
    }
    const [written] = await insertWithin(this.store, [job], request.transaction);
    this.#logEnqueued(written);
    return written;
  }

  #logEnqueued(job: Job): void {
    this.#logger?.info("job:enqueued", { job_id: job.id, task: job.task, queue: job.queue });
  }
}
