/**
 * Keyed records: the one store primitive that features which only need to keep small JSON
 * values by name are written over (dashboard sessions, the worker registry, queue pauses,
 * task holds). A record lives in a `space` (one per feature: `session`, `worker`, …) under a
 * `key`; the store keeps it as JSON, may drop it once its `ttlMs` has passed (KV's
 * `expireIn`, Redis' `PX`, PostgreSQL's swept `expires_at`), and may also still answer it
 * a while after: a reader that cares judges expiry by a field of its own value.
 *
 * A `version` (opaque, the store's own: KV's versionstamp, Redis' stored text, a PostgreSQL
 * sequence number) makes a write conditional: `ifVersion` is the version read, or null for
 * "only if there is none", so a read-then-write loses no concurrent write.
 *
 * @example
 * ```ts
 * import type { RecordPutParams } from "./records.ts";
 * const pause: RecordPutParams = { space: "queue_pause", key: "mail", value: { at: 0 } };
 * ```
 * @module
 */
import { PayloadTooLargeError } from "../errors.ts";
import type { Job } from "../job.ts";
import type { JobUpdate } from "./store.ts";

/** A record as `recordGet` reads it. */
export interface RecordRead {
  value: unknown;
  /** Pass it back as `ifVersion` to write only if nobody wrote the record meanwhile. */
  version: string;
}

/** A record as `recordList` lists it. */
export interface StoredRecord {
  key: string;
  value: unknown;
}

/** Where a record is: a feature's space (`[a-z_]+`) and a key within it. */
export interface RecordAddress {
  space: string;
  key: string;
}

/** What `recordPut` writes. */
export interface RecordPutParams extends RecordAddress {
  /** Any JSON value (the store may refuse one over its size limit). */
  value: unknown;
  /** The store may drop the record once this many ms have passed; kept for good without. */
  ttlMs?: number;
  /**
   * Writes only if the record is still at this version (from `recordGet`); null: only if
   * there is no record. Without it the write always happens.
   */
  ifVersion?: string | null;
}

/** A record's version a commit requires: `version` as read, or null for "there is none". */
export interface RecordCheck extends RecordAddress {
  version: string | null;
}

/** A record a commit writes, replacing the one under its key. */
export interface RecordWrite extends RecordAddress {
  /** Any JSON value (the store may refuse one over its size limit). */
  value: unknown;
  /** The store may drop the record once this many ms have passed; kept for good without. */
  ttlMs?: number;
}

/**
 * What `recordCommit` writes, all or nothing: only if every check still holds and every
 * updated job is still at `before.version`, it puts and deletes the records, inserts the
 * jobs and writes the updates. Jobs move as `jobInsertMany` and `jobUpdateMany` move them
 * (index entries, counts, statistics, wake-ups), within the store's `maxInsertBatch`,
 * `maxJobBytes` and `maxCommitBytes`. New jobs and updates are written as given: a job
 * with `dependsOn`, a group or a concurrency key as linked above the store
 * (`src/flows/linked_writes.ts`, `src/guards/group_writes.ts`), a job settling with the
 * changes of its dependants among the updates. Refused (`RangeError`): an update that
 * changes a job's id or queue. An address is at most once among `puts` and `deletes`.
 */
export interface RecordCommitParams {
  checks?: RecordCheck[];
  puts?: RecordWrite[];
  deletes?: RecordAddress[];
  jobs?: Job[];
  updates?: JobUpdate[];
}

/**
 * What `recordList` lists: a space's records in key order (code units), at most `limit`;
 * with `prefix` only keys that start with it, and with `from` only keys at or after it. A
 * feature that composes keys so their order is its own (e.g. a name, then a sortable time)
 * reads a range with the two: `{ prefix: name, from: name + since }`.
 */
export interface RecordListParams {
  space: string;
  limit: number;
  prefix?: string;
  from?: string;
}

/**
 * The first key after every key that starts with `prefix` (in code point order, which is
 * UTF-8 byte order too), for stores that read a range `[from, end)`; undefined when there
 * is none (an empty prefix, or one of only U+10FFFF).
 *
 * @example
 * ```ts
 * import { prefixEnd } from "./records.ts";
 * console.assert(prefixEnd("ab") === "ac");
 * console.assert(prefixEnd("") === undefined);
 * ```
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // One past U+D7FF is a surrogate, which no well-formed key holds: U+E000 is next.
      return points.join("") + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
    }
  }
  return undefined;
}

/** The limits of one store's inserts (`Store`'s fields of those names). */
export interface InsertLimits {
  maxJobBytes: number;
  maxInsertBatch: number;
  maxCommitBytes: number;
  jobBytes(job: Job): number;
}

/**
 * Refuses the jobs of a commit that the store could not take in one atomic write, before
 * anything is written: a job (new or updated) over `maxJobBytes` (`PayloadTooLargeError`),
 * more than `maxInsertBatch` of them or, beyond one, more than `maxCommitBytes` together
 * (`RangeError`), and updates that move a job to another id or queue (`RangeError`).
 *
 * @example
 * ```ts
 * import { checkCommitJobs } from "./records.ts";
 * const limits = { maxJobBytes: 10, maxInsertBatch: 1, maxCommitBytes: 10, jobBytes: () => 1 };
 * checkCommitJobs({}, limits); // nothing to refuse
 * ```
 */
export function checkCommitJobs(
  { jobs: inserts = [], updates = [] }: RecordCommitParams,
  limits: InsertLimits,
): void {
  for (const { before, after } of updates) {
    if (before.id !== after.id || before.queue !== after.queue) {
      throw new RangeError(`job ${before.id}: a record commit updates jobs in place`);
    }
  }
  const jobs = [...inserts, ...updates.map((update) => update.after)];
  if (jobs.length > limits.maxInsertBatch) {
    throw new RangeError(
      `at most ${limits.maxInsertBatch} jobs per record commit; got ${jobs.length}`,
    );
  }
  let total = 0;
  for (const job of jobs) {
    const bytes = limits.jobBytes(job);
    if (bytes > limits.maxJobBytes) {
      throw new PayloadTooLargeError(bytes, limits.maxJobBytes, `job ${job.id}`);
    }
    total += bytes;
  }
  if (jobs.length > 1 && total > limits.maxCommitBytes) {
    throw new RangeError(
      `a record commit takes at most ${limits.maxCommitBytes} bytes of jobs; got ${total}`,
    );
  }
}
