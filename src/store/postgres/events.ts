/**
 * Events on PostgreSQL (`../events.ts`): one row of `events` per event sent, keyed by
 * name, key, `sent_at` and id so a wait lists those of its name and key in order, kept
 * until `expires_at`: not listed after, and deleted by the store's maintenance (`expiry.ts`).
 *
 * @example
 * ```ts ignore
 * const events = new PostgresEvents(names);
 * await events.put(sql, { event, ttlMs: 86_400_000 });
 * ```
 * @module
 */
import type { EventListParams, EventRecord } from "../events.ts";
import type { Runner } from "./changes.ts";
import type { SqlNames } from "./schema.ts";

/** The events of one schema. */
export class PostgresEvents {
  readonly #table: string;

  constructor(names: SqlNames) {
    this.#table = names.table("events");
  }

  /** Keeps `event` for `ttlMs` after it was sent; putting it again changes nothing. */
  async put(sql: Runner, { event, ttlMs }: { event: EventRecord; ttlMs: number }): Promise<void> {
    await sql.unsafe(
      `INSERT INTO ${this.#table} ("name", "key", "sent_at", "id", "record", "expires_at")
       VALUES ($1, $2, $3, $4, $5::text::jsonb, $6) ON CONFLICT DO NOTHING`,
      [event.name, event.key, event.sentAt, event.id, JSON.stringify(event), event.sentAt + ttlMs],
      { prepare: true },
    );
  }

  /** The events of `name` and `key` sent at or after `since` and kept at `now`, oldest first. */
  async list(
    sql: Runner,
    { name, key, since, limit }: EventListParams,
    now: number,
  ): Promise<EventRecord[]> {
    const rows = await sql.unsafe(
      `SELECT "record" FROM ${this.#table}
       WHERE "name" = $1 AND "key" = $2 AND "sent_at" >= $3 AND "expires_at" > $5
       ORDER BY "sent_at", "id" LIMIT $4`,
      [name, key, since, limit, now],
      { prepare: true },
    );
    return (rows as { record: EventRecord }[]).map((row) => row.record);
  }
}
