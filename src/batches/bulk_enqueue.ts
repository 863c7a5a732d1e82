/**
 * Bulk enqueue: many requests validated one by one, the valid ones inserted in atomic
 * commits that respect the store's limits (`maxInsertBatch` jobs and `maxCommitBytes` of
 * records, measured with `store.jobBytes`), as one batch. Each request ends either
 * wholly enqueued or listed as rejected with the reason; the batch record is written after
 * its jobs, so a batch never looks complete while its jobs are still being inserted.
 * Job ids follow from the batch id (`jobIdAfter(batchId, index + 1)`); with an
 * idempotency key, the first job is inserted with the key, so a repeat of a request whose
 * answer was lost finds what it stored (`bulk_repeat.ts`).
 *
 * @example
 * ```ts ignore
 * const { batch, jobIds, rejected } = await bulkEnqueue({
 *   store, producer,
 *   requests: users.map((user_id) => ({ task: "generate_report", input: { user_id } })),
 *   onComplete: { task: "send_notification", input: { email, message: "reports ready" } },
 * });
 * ```
 * @module
 */
import { type FieldIssue, InvalidInputError, type TqError } from "../errors.ts";
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  idempotencyIssues,
  insertIdempotent,
} from "../guards/idempotency.ts";
import { newIdRange } from "../ids.ts";
import type { Job } from "../job.ts";
import type { EnqueueRequest } from "../registry/default_producer.ts";
import type { Producer } from "../producer.ts";
import type { BatchCompletion, BatchRecord } from "../store/batches.ts";
import { batchCreate } from "./batch_records.ts";
import type { Store } from "../store/store.ts";
import { bulkRepeat } from "./bulk_repeat.ts";

/** The most jobs one bulk request may hold. */
export const MAX_BULK_JOBS = 10_000;
/**
 * Insert commits on their way at once: the next commit is built (records serialized,
 * index entries derived) while the store writes the previous one.
 */
const COMMITS_IN_FLIGHT = 2;
/** What a record costs a commit beyond its own bytes (index entries, keys, counters). */
const ENTRY_OVERHEAD_BYTES = 300;

/** Why one request of a bulk enqueue was not enqueued. */
export interface BulkRejection {
  /** Its position in the request list, from 0. */
  index: number;
  error: { code: string; message: string; issues?: FieldIssue[] };
}

/** What became of a bulk enqueue. */
export interface BulkResult {
  /** The batch of the accepted jobs; null when none was accepted. */
  batch: BatchRecord | null;
  /** Ids of the accepted jobs, in request order. */
  jobIds: string[];
  rejected: BulkRejection[];
  /** False for a repeat of an idempotency key: nothing but a lost batch record written. */
  created: boolean;
}

/** What {@linkcode bulkEnqueue} takes. */
export interface BulkParams {
  store: Store;
  producer: Producer;
  /** Requests, or the error that already ruled one out (a malformed entry). */
  requests: (EnqueueRequest | TqError)[];
  /** Enqueued once every accepted job has ended (see `batch_watcher.ts`). */
  onComplete?: BatchCompletion;
  /** Makes the request repeatable: a repeat reports what the first one stored. */
  idempotencyKey?: string;
  now: number;
}

function rejection(index: number, error: TqError): BulkRejection {
  const issues = (error.details as { issues?: FieldIssue[] }).issues;
  return { index, error: { code: error.code, message: error.message, ...(issues && { issues }) } };
}

/**
 * The completion job of a bulk request as a spec, checked now so a bad one refuses the
 * whole request before anything is written.
 *
 * @example
 * ```ts ignore
 * const spec = completionSpec(producer, { task: "noop", input: {} });
 * ```
 */
export function completionSpec(producer: Producer, request: EnqueueRequest): BatchCompletion {
  if (
    request.idempotencyKey !== undefined || request.dependsOn !== undefined ||
    request.callbackUrl !== undefined
  ) {
    throw new InvalidInputError([{
      path: "on_complete",
      message: "idempotency_key, depends_on and callback_url are not taken here",
    }]);
  }
  const job = producer.prepare(request);
  return {
    task: job.task,
    queue: job.queue,
    input: job.input,
    priority: job.priority,
    maxAttempts: job.maxAttempts,
    backoff: job.backoff,
    timeoutMs: job.timeoutMs,
  };
}

/** A valid request of a bulk enqueue, prepared: its place in the request list and its job. */
interface Prepared {
  index: number;
  job: Job;
}

/**
 * Prepares the requests one by one as they are asked for, so a commit's jobs are prepared
 * while the store writes the one before; each refused request goes to `rejected`.
 */
function* prepare(
  { producer, requests }: BulkParams,
  { batchId, ids }: { batchId: string; ids: string[] },
  rejected: BulkRejection[],
): Generator<Prepared> {
  for (const [index, request] of requests.entries()) {
    let job: Job;
    try {
      if (request instanceof Error) throw request;
      if (request.idempotencyKey !== undefined || request.dependsOn !== undefined) {
        const path = request.idempotencyKey !== undefined ? "idempotency_key" : "depends_on";
        throw new InvalidInputError([{ path, message: "not taken in a bulk request" }]);
      }
      job = { ...producer.prepare(request, ids[index]), batchId };
    } catch (error) {
      if (!(error instanceof Error && "code" in error)) throw error;
      rejected.push(rejection(index, error as TqError));
      continue;
    }
    yield { index, job };
  }
}

/**
 * Groups jobs into commits within the store's job count and commit size, each with its jobs'
 * sizes (`store.jobBytes`), which the store then need not measure again.
 */
function* commits(
  store: Store,
  jobs: Iterable<Prepared>,
): Generator<{ chunk: Prepared[]; sizes: number[] }> {
  let chunk: Prepared[] = [];
  let sizes: number[] = [];
  let bytes = 0;
  for (const item of jobs) {
    const size = store.jobBytes(item.job);
    if (
      chunk.length === store.maxInsertBatch ||
      (chunk.length > 0 && bytes + size + ENTRY_OVERHEAD_BYTES > store.maxCommitBytes)
    ) {
      yield { chunk, sizes };
      chunk = [];
      sizes = [];
      bytes = 0;
    }
    chunk.push(item);
    sizes.push(size);
    bytes += size + ENTRY_OVERHEAD_BYTES;
  }
  if (chunk.length > 0) yield { chunk, sizes };
}

/**
 * Validates and enqueues `requests` as one batch (`onComplete` from `completionSpec`).
 *
 * @example
 * ```ts ignore
 * const result = await bulkEnqueue({ store, producer, requests, now: Date.now() });
 * ```
 */
export async function bulkEnqueue(params: BulkParams): Promise<BulkResult> {
  const { store, requests, onComplete, idempotencyKey, now } = params;
  const keyIssues = idempotencyIssues({ idempotencyKey });
  if (keyIssues.length > 0) throw new InvalidInputError(keyIssues);
  const [batchId, ...ids] = newIdRange(requests.length, now);
  const rejected: BulkRejection[] = [];
  let valid: Iterable<Prepared> = prepare(params, { batchId, ids }, rejected);
  const accepted: Prepared[] = [];
  if (idempotencyKey !== undefined) {
    // The key goes with the first stored job, and a repeat compares every request.
    const all = [...valid];
    valid = all;
    const first = all.shift();
    if (first) {
      const ttlMs = DEFAULT_IDEMPOTENCY_TTL_MS;
      const held = await insertIdempotent(store, { job: first.job, key: idempotencyKey, ttlMs });
      if (!held.created) {
        return bulkRepeat({ store, held: held.job, valid: [first, ...all], rejected, onComplete });
      }
      accepted.push(first);
    }
  }
  const chunks = commits(store, valid);
  const insertChunks = async () => {
    for (let next = chunks.next(); !next.done; next = chunks.next()) {
      const { chunk, sizes } = next.value;
      try {
        await store.jobInsertMany({ jobs: chunk.map((item) => item.job), bytes: sizes });
        accepted.push(...chunk);
      } catch (error) {
        if (!(error instanceof Error && "code" in error)) throw error;
        rejected.push(...chunk.map((item) => rejection(item.index, error as TqError)));
      }
    }
  };
  await Promise.all(Array.from({ length: COMMITS_IN_FLIGHT }, insertChunks));
  accepted.sort((a, b) => a.index - b.index);
  rejected.sort((a, b) => a.index - b.index);
  if (accepted.length === 0) return { batch: null, jobIds: [], rejected, created: true };
  const batch: BatchRecord = {
    id: batchId,
    total: accepted.length,
    queues: [...new Set(accepted.map((item) => item.job.queue))],
    createdAt: now,
    ...(onComplete && { onComplete }),
  };
  await batchCreate(store, { batch });
  return { batch, jobIds: accepted.map((item) => item.job.id), rejected, created: true };
}
