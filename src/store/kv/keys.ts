/**
 * The KV key layout. A job is one record under `["job", id]`; every other key is an index
 * entry derived from the record by {@linkcode indexEntries}, so a change of record moves its
 * index entries by a set difference and no index can disagree with its job.
 *
 * | key | value | for |
 * | --- | --- | --- |
 * | `["job", id]` | the Job | the record |
 * | `["ready", queue, priority, runAt, id]` | empty bytes | claims, best first |
 * | `["sched", runAt, id]` | empty bytes | the promoter (scheduled jobs, and waiting ones by timeout) |
 * | `["waiting", waitEvent, waitKey, id]` | empty bytes | the jobs an event wakes (`events.ts`) |
 * | `["lease", leaseExpiresAt, id]` | empty bytes | the rescuer |
 * | `["exp", expiresAt, id]` | empty bytes | the pruner |
 * | `["callback", callbackDueAt, id]` | empty bytes | completion callbacks (`src/callbacks/`) |
 * | `["state", state, id]` | `{ queue, task }` | listings by state, except `queued` (see below) |
 * | `["count", queue, state]` | `Deno.KvU64` | exact counts per queue |
 * | `["record", space, key]` | a keyed record's value (KV-expired when it has a TTL) | sessions, workers, pauses, holds, kept events, idempotency and debounce keys, schedules, batches, job log lines, job statistics (`../records.ts`) |
 * | `["layout", "version"]`, `["layout", "lock"]` | a number; `{ owner, until }` | the layout version and its migration lock (`layout.ts`) |
 *
 * An index entry that only marks its key holds empty bytes, which KV stores as they are:
 * any other value would be V8-serialized on every write.
 *
 * Queued jobs have no `state` entry: every mutation of a commit costs about as much as the
 * record itself, and a queued job's third one capped bulk enqueues near 50,000 jobs/s
 * (docs/benchmarks.md). Listings of queued jobs scan the records instead, newest first,
 * which finds them early: jobs leave the queue roughly in the order they entered it.
 *
 * @example
 * ```ts
 * import { indexEntries } from "./keys.ts";
 * import { createJob } from "../../transitions/mod.ts";
 * const entries = indexEntries(createJob({ id: "a", task: "t", input: 1 }, 5));
 * console.assert(entries[0].key[0] === "ready");
 * ```
 * @module
 */
import type { Job, JobState } from "../../job.ts";
import { prefixEnd } from "../records.ts";

/** The key of a job's record. */
export const jobKey = (id: string): Deno.KvKey => ["job", id];

/** The key of a keyed record (`../records.ts`). */
export const recordKey = ({ space, key }: { space: string; key: string }): Deno.KvKey => [
  "record",
  space,
  key,
];

/**
 * The selector of a space's keyed records within `prefix` from `from` on (`../records.ts`):
 * a key is one string part, so a prefix of it is a range of strings. Null when the range
 * is empty (`from` past every key of the prefix), which KV would refuse.
 *
 * @example
 * ```ts
 * import { recordRange } from "./keys.ts";
 * const range = recordRange({ space: "event", prefix: "a:", from: "a:5" });
 * console.assert(JSON.stringify(range) === '{"start":["record","event","a:5"],"end":["record","event","a;"]}');
 * ```
 */
export function recordRange(
  { space, prefix = "", from = "" }: { space: string; prefix?: string; from?: string },
): Deno.KvListSelector | null {
  const first = from > prefix ? from : prefix;
  const start = recordKey({ space, key: first });
  const end = prefixEnd(prefix);
  if (end === undefined) return { prefix: ["record", space], start };
  return first >= end ? null : { start, end: recordKey({ space, key: end }) };
}

/** The key of a queue's counter of jobs in a state. */
export const countKey = (queue: string, state: JobState): Deno.KvKey => ["count", queue, state];

/** The value of an entry whose key says it all: bytes are stored without serialization. */
const MARK = new Uint8Array(0);

/** One derived index entry. */
export interface IndexEntry {
  key: Deno.KvKey;
  value: unknown;
}

/** Every index entry a record implies. */
export function indexEntries(job: Job): IndexEntry[] {
  const entries: IndexEntry[] = [];
  switch (job.state) {
    case "queued":
      entries.push({ key: ["ready", job.queue, job.priority, job.runAt, job.id], value: MARK });
      break;
    case "scheduled":
      entries.push({ key: ["sched", job.runAt, job.id], value: MARK });
      break;
    case "started":
      entries.push({ key: ["lease", job.leaseExpiresAt ?? 0, job.id], value: MARK });
      break;
    case "waiting":
      entries.push({ key: ["sched", job.runAt, job.id], value: MARK });
      entries.push({
        key: ["waiting", job.waitEvent ?? "", job.waitKey ?? "", job.id],
        value: MARK,
      });
      break;
  }
  if (job.expiresAt !== undefined) {
    entries.push({ key: ["exp", job.expiresAt, job.id], value: MARK });
  }
  if (job.callbackDueAt !== undefined) {
    entries.push({ key: ["callback", job.callbackDueAt, job.id], value: MARK });
  }
  if (job.state !== "queued") {
    entries.push({
      key: ["state", job.state, job.id],
      value: { queue: job.queue, task: job.task },
    });
  }
  return entries;
}

const keyId = (key: Deno.KvKey) => JSON.stringify(key);

/** The entries to delete and to write when a record changes from `before` to `after`. */
export function indexDiff(before: Job, after: Job): { remove: Deno.KvKey[]; add: IndexEntry[] } {
  const old = indexEntries(before);
  const fresh = indexEntries(after);
  const freshIds = new Set(fresh.map((e) => keyId(e.key)));
  const oldIds = new Set(old.map((e) => keyId(e.key)));
  return {
    remove: old.filter((e) => !freshIds.has(keyId(e.key))).map((e) => e.key),
    add: fresh.filter((e) => !oldIds.has(keyId(e.key))),
  };
}
