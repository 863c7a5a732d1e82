/**
 * Events as a store keeps them (`POST /events`, `sendEvent`): one record per event sent,
 * kept for a bounded time, so a job that reaches its `ctx.waitForEvent` after the event was
 * sent still gets it (see `src/steps/events.ts`).
 *
 * @example
 * ```ts
 * import type { EventRecord } from "./events.ts";
 * const forOrder = (e: EventRecord) => e.name === "order.approved" && e.key === "o1";
 * ```
 * @module
 */

/** One event sent. */
export interface EventRecord {
  /** Unique, time-ordered (ULID). */
  id: string;
  /** What happened, e.g. `order.approved`. */
  name: string;
  /** Which thing it happened to, e.g. an order id; `""` for none. */
  key: string;
  /** The event's JSON data (`{}` when none was sent). */
  data: unknown;
  /** When it was sent (epoch ms). */
  sentAt: number;
}

/** Parameters of `Store.eventList`. */
export interface EventListParams {
  name: string;
  key: string;
  /** Only events sent at or after this time (epoch ms). */
  since: number;
  limit: number;
}

/** Parameters of `Store.jobListWaiting`. */
export interface WaitingListParams {
  /** The event waited for, and its key (`""` for none). */
  event: string;
  key: string;
  limit: number;
}
