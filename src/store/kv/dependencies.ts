/**
 * Dependencies on the KV file: inserting jobs linked to their parents, and settling a job
 * together with its dependants, each as one atomic commit that checks the versionstamp of
 * every record it read. The decisions are `src/flows/`'s pure functions; this file only
 * reads and writes. A job's children are listed in its record (`dependants`), so settling
 * a job without dependants costs nothing more than before.
 *
 * @example
 * ```ts ignore
 * const woke = await insertLinked(kv, jobs, Date.now()); // true if a job became queued
 * ```
 * @module
 */
import { StoreUnavailableError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import { dependantChanges } from "../../flows/cascade.ts";
import { linkNewJobs, outsideParents } from "../../flows/links.ts";
import { jobKey } from "./keys.ts";
import { getRecords, type StoredJob } from "./reads.ts";
import { WriteBatch } from "./write_batch.ts";

/** Reads and commits again this many times when another writer raced us. */
const ATTEMPTS = 5;

/**
 * Inserts `jobs` (some with `dependsOn`) linked to their parents; throws the 422 of
 * `linkNewJobs` for an unknown parent. Returns the records written.
 */
export async function insertLinked(kv: Deno.Kv, jobs: Job[], now: number): Promise<Job[]> {
  const ids = outsideParents(jobs);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const records = await getRecords(kv, ids);
    const stored = new Map(records.flatMap((r) => r ? [[r.job.id, r.job] as const] : []));
    const linked = linkNewJobs(jobs, stored, now);
    const batch = new WriteBatch(kv);
    // Parents must stay as read: one that settles meanwhile would never see its new child.
    records.forEach((record, i) => batch.check(jobKey(ids[i]), record?.stamp ?? null));
    for (const { before, after } of linked.parents) batch.change(before, after);
    for (const job of linked.jobs) batch.change(null, job);
    if ((await batch.commit()).ok) return linked.jobs;
  }
  throw new StoreUnavailableError("the parents of the new jobs kept changing; try again");
}

/**
 * Writes one settling job (read as `record`) with the changes of its dependants, in one
 * commit. Returns the records written, the settling job first; null when a record changed
 * since it was read (the caller reads again).
 */
export async function commitWithDependants(
  kv: Deno.Kv,
  record: StoredJob,
  after: Job,
): Promise<Job[] | null> {
  const stamps = new Map<string, string>();
  const changes = await dependantChanges([after], async (ids) => {
    const read = await getRecords(kv, ids);
    read.forEach((r) => r && stamps.set(r.job.id, r.stamp));
    return read.map((r) => r?.job ?? null);
  });
  const batch = new WriteBatch(kv).check(jobKey(after.id), record.stamp).change(record.job, after);
  for (const { before, after } of changes) {
    batch.check(jobKey(before.id), stamps.get(before.id)!).change(before, after);
  }
  const { ok } = await batch.commit();
  return ok ? [after, ...changes.map((c) => c.after)] : null;
}
