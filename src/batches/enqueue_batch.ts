/**
 * Bulk enqueue from code: many jobs as one batch, with an optional completion job and an
 * optional idempotency key that makes the whole batch happen once (a repeat answers what
 * the first call stored; see `bulk_repeat.ts`). Task handlers reach it through the
 * producer bound by `connect()`, as `task.enqueue()` does: the midnight report fan-out
 * (`tasks/fan_out_reports.ts`) keys its batch by its own job id, so a retried attempt
 * does not enqueue the reports twice.
 *
 * @example
 * ```ts ignore
 * const { batch, jobIds } = await enqueueBatch({
 *   requests: users.map((user_id) => ({ task: "generate_report", input: { user_id } })),
 *   onComplete: { task: "send_notification", input: { email, message: "reports ready" } },
 *   idempotencyKey: `reports:${ctx.jobId}`,
 * });
 * ```
 * @module
 */
import type { Producer } from "../producer.ts";
import type { EnqueueRequest } from "../registry/default_producer.ts";
import { currentProducer } from "../registry/default_producer.ts";
import type { Store } from "../store/store.ts";
import { bulkEnqueue, type BulkResult, completionSpec } from "./bulk_enqueue.ts";

/** Many jobs to enqueue as one batch. */
export interface BatchRequest {
  /** Each validated on its own: invalid ones come back in `rejected`, the rest are stored. */
  requests: EnqueueRequest[];
  /** Enqueued once every accepted job has ended (no idempotency key, no dependencies). */
  onComplete?: EnqueueRequest;
  /** The batch happens once per key (24 h): a repeat stores nothing new. */
  idempotencyKey?: string;
}

/**
 * Validates and enqueues `request` into `store` as one batch, at `now`: what
 * `Producer.enqueueBatch` runs.
 *
 * @example
 * ```ts ignore
 * const result = await batchEnqueue({ producer, store, request, now: clock.now() });
 * ```
 */
export function batchEnqueue(
  { producer, store, request, now }: {
    producer: Producer;
    store: Store;
    request: BatchRequest;
    now: number;
  },
): Promise<BulkResult> {
  const onComplete = request.onComplete && completionSpec(producer, request.onComplete);
  const { requests, idempotencyKey } = request;
  return bulkEnqueue({ store, producer, requests, onComplete, idempotencyKey, now });
}

/**
 * Enqueues `request` as one batch through `producer` (by default the one bound by
 * `connect()`, as in task handlers).
 *
 * @example
 * ```ts ignore
 * const { jobIds } = await enqueueBatch({ requests: [{ task: "noop", input: {} }] });
 * ```
 */
export async function enqueueBatch(
  request: BatchRequest,
  producer: Pick<Producer, "enqueue"> = currentProducer(),
): Promise<BulkResult> {
  // A stand-in bound by useProducer may enqueue single jobs only.
  if (!("enqueueBatch" in producer)) {
    throw new TypeError("the bound producer cannot enqueue batches: use tq's Producer");
  }
  return await (producer as Producer).enqueueBatch(request);
}
