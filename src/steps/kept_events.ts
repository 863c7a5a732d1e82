/**
 * Events kept for later waits, written once over the keyed records of the store contract
 * (`../store/records.ts`): `POST /events` and `sendEvent` keep each event sent for
 * `ttlMs`, so a job that reaches its `ctx.waitForEvent` after the event was sent still
 * gets it (`events.ts`). Each event is one record of the space `event` under a key that
 * sorts as a wait reads them: its name and key (as JSON strings, so neither can run into
 * the other), then its `sentAt` zero-padded to 15 digits, then its id. The events of one
 * name and key sent since a time are then one range of keys, oldest first.
 *
 * @example
 * ```ts
 * import { openKvStore } from "../store/kv/kv_store.ts";
 * import { keepEvent, keptEvents } from "./kept_events.ts";
 * const store = await openKvStore(":memory:");
 * const event = { id: "01J0", name: "order.approved", key: "o1", data: {}, sentAt: Date.now() };
 * await keepEvent(store, { event, ttlMs: 86_400_000 });
 * await keepEvent(store, { event: { ...event, id: "01J1", key: "o10" }, ttlMs: 86_400_000 });
 * const kept = await keptEvents(store, { name: "order.approved", key: "o1", since: 0, limit: 10 });
 * console.assert(kept.length === 1 && kept[0].key === "o1");
 * store.close();
 * ```
 * @module
 */
import type { Store } from "../store/store.ts";

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

/** What {@linkcode keptEvents} lists. */
export interface KeptEventsParams {
  name: string;
  key: string;
  /** Only events sent at or after this time (epoch ms). */
  since: number;
  limit: number;
}

/** The part of the store contract kept events need. */
export type EventStore = Pick<Store, "recordPut" | "recordList">;

/** The record space of kept events. */
const SPACE = "event";

/** Digits of a time in a key: epoch ms stay below 10^15 for 30,000 years. */
const TIME_DIGITS = 15;

/** The start of the keys of `name` and `key`. */
const namePrefix = (name: string, key: string) => JSON.stringify(name) + JSON.stringify(key);

/** `prefix` followed by a time, so keys sort by it. */
const atTime = (prefix: string, ms: number) => prefix + String(ms).padStart(TIME_DIGITS, "0");

/**
 * Keeps `event` for `ttlMs` (from now, by the store's clock).
 *
 * @example
 * ```ts ignore
 * await keepEvent(store, { event, ttlMs: 86_400_000 });
 * ```
 */
export async function keepEvent(
  store: EventStore,
  { event, ttlMs }: { event: EventRecord; ttlMs: number },
): Promise<void> {
  const key = `${atTime(namePrefix(event.name, event.key), event.sentAt)}.${event.id}`;
  await store.recordPut({ space: SPACE, key, value: event, ttlMs });
}

/**
 * The events kept for `name` and `key` sent at or after `since`, oldest first, at most
 * `limit`.
 *
 * @example
 * ```ts ignore
 * const kept = await keptEvents(store, { name: "order.approved", key: "o1", since: 0, limit: 10 });
 * ```
 */
export async function keptEvents(
  store: EventStore,
  { name, key, since, limit }: KeptEventsParams,
): Promise<EventRecord[]> {
  const prefix = namePrefix(name, key);
  const from = atTime(prefix, Math.max(0, since));
  const records = await store.recordList({ space: SPACE, prefix, from, limit });
  return records.map((record) => record.value as EventRecord);
}
