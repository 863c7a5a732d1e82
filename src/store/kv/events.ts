/**
 * The KV side of events (`../events.ts`): an event is one entry under
 * `["event", name, key, sentAt, id]` that KV expires on its own after the time it is kept
 * for; the jobs waiting for one are found by their `["waiting", event, key, id]` index
 * entries (`keys.ts`).
 *
 * @example
 * ```ts ignore
 * const events = new KvEvents(kv);
 * await events.eventPut({ event, ttlMs: 86_400_000 });
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import type { EventListParams, EventRecord, WaitingListParams } from "../events.ts";
import { getRecords, listKeys } from "./reads.ts";

/** The KV side of the event methods of the store contract. */
export class KvEvents {
  readonly #kv: Deno.Kv;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  async eventPut({ event, ttlMs }: { event: EventRecord; ttlMs: number }): Promise<void> {
    const key = ["event", event.name, event.key, event.sentAt, event.id];
    await this.#kv.set(key, event, { expireIn: ttlMs });
  }

  async eventList({ name, key, since, limit }: EventListParams): Promise<EventRecord[]> {
    const selector = { start: ["event", name, key, since], end: ["event", name, key, Infinity] };
    const events: EventRecord[] = [];
    for await (const entry of this.#kv.list<EventRecord>(selector, { limit })) {
      // KV drops expired entries lazily: one past its time may still be listed.
      events.push(entry.value);
    }
    return events;
  }

  async jobListWaiting({ event, key, limit }: WaitingListParams): Promise<Job[]> {
    const keys = await listKeys(this.#kv, { prefix: ["waiting", event, key] }, limit);
    const records = await getRecords(this.#kv, keys.map((k) => k.at(-1) as string));
    return records.flatMap((record) => record?.job.state === "waiting" ? [record.job] : []);
  }
}
