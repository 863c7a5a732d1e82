/**
 * What a store does for events (`src/steps/events.ts`): it finds the jobs waiting for an
 * event by the name and key they wait for (`Store.jobListWaiting`), from an index it keeps
 * with the job records. The events themselves are kept above the store, as keyed records
 * (`src/steps/kept_events.ts`).
 *
 * @example
 * ```ts
 * import type { WaitingListParams } from "./events.ts";
 * const forOrder: WaitingListParams = { event: "order.approved", key: "o1", limit: 100 };
 * ```
 * @module
 */

/** Parameters of `Store.jobListWaiting`. */
export interface WaitingListParams {
  /** The event waited for, and its key (`""` for none). */
  event: string;
  key: string;
  limit: number;
}
