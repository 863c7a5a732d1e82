/**
 * The KV side of events (`../events.ts`): the jobs waiting for one are found by their
 * `["waiting", event, key, id]` index entries (`keys.ts`).
 *
 * @example
 * ```ts ignore
 * const events = new KvEvents(kv);
 * const jobs = await events.jobListWaiting({ event: "order.approved", key: "o1", limit: 100 });
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import type { WaitingListParams } from "../events.ts";
import { getRecords, listKeys } from "./reads.ts";

/** The KV side of `jobListWaiting`. */
export class KvEvents {
  readonly #kv: Deno.Kv;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  async jobListWaiting({ event, key, limit }: WaitingListParams): Promise<Job[]> {
    const keys = await listKeys(this.#kv, { prefix: ["waiting", event, key] }, limit);
    const records = await getRecords(this.#kv, keys.map((k) => k.at(-1) as string));
    return records.flatMap((record) => record?.job.state === "waiting" ? [record.job] : []);
  }
}
