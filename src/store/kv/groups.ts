/**
 * Ordered groups on the KV file: new jobs are chained behind their groups' newest jobs (the
 * pure rule is `src/guards/group.ts`) in one commit that checks the versionstamps of each
 * group's record (`["group", key]`: the id of its newest job, kept `GROUP_TTL_MS` after the
 * last enqueue) and of every predecessor it changes, so two producers appending to one
 * group at once cannot both become its head. Releasing the next job when one ends is the
 * dependants' settling (`dependencies.ts`), unchanged.
 *
 * @example
 * ```ts ignore
 * const written = await insertGrouped(kv, jobs); // the second job of a group comes back deferred
 * ```
 * @module
 */
import { StoreUnavailableError } from "../../errors.ts";
import type { Job } from "../../job.ts";
import { GROUP_TTL_MS, linkGroups } from "../../guards/group.ts";
import { jobKey } from "./keys.ts";
import { getRecords } from "./reads.ts";
import { WriteBatch } from "./write_batch.ts";

/** Reads and writes again this many times when other writers raced us (one wins each time). */
const ATTEMPTS = 25;
/** Groups per commit: two checks each (of KV's 100), and room for 300 jobs' mutations. */
const GROUPS_PER_COMMIT = 25;

const groupKey = (group: string): Deno.KvKey => ["group", group];

/**
 * Inserts `jobs`, chaining those with a `group`; returns the records written. Jobs of more
 * than {@linkcode GROUPS_PER_COMMIT} groups go in several commits, each group whole in one.
 */
export async function insertGrouped(kv: Deno.Kv, jobs: Job[]): Promise<Job[]> {
  if (jobs.some((job) => job.dependsOn)) {
    throw new RangeError("jobs with depends_on and jobs with a group go in separate inserts");
  }
  const groups = [...new Set(jobs.flatMap((job) => job.group === undefined ? [] : [job.group]))];
  const written: Job[] = [];
  for (let i = 0; i < Math.max(groups.length, 1); i += GROUPS_PER_COMMIT) {
    const some = new Set(groups.slice(i, i + GROUPS_PER_COMMIT));
    // Ungrouped jobs go with the first commit.
    const part = jobs.filter((job) => job.group === undefined ? i === 0 : some.has(job.group));
    written.push(...await insertPart(kv, part, [...some]));
  }
  return written;
}

async function insertPart(kv: Deno.Kv, jobs: Job[], groups: string[]): Promise<Job[]> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const records: Deno.KvEntryMaybe<string>[] = [];
    for (let i = 0; i < groups.length; i += 10) {
      records.push(...await kv.getMany<string[]>(groups.slice(i, i + 10).map(groupKey)));
    }
    const tailIds = records.map((record) => record.value);
    const read = await getRecords(kv, tailIds.filter((id): id is string => id !== null));
    const stored = new Map(read.flatMap((r) => r ? [[r.job.id, r] as const] : []));
    const tails = new Map(groups.map((group, i) => [group, stored.get(tailIds[i]!)?.job ?? null]));
    const linked = linkGroups(jobs, tails);
    const batch = new WriteBatch(kv);
    groups.forEach((group, i) => {
      batch.check(groupKey(group), records[i].versionstamp)
        .set(groupKey(group), linked.tails.get(group)!, { expireIn: GROUP_TTL_MS });
    });
    for (const { before, after } of linked.predecessors) {
      batch.check(jobKey(before.id), stored.get(before.id)!.stamp).change(before, after);
    }
    for (const job of linked.jobs) batch.change(null, job);
    if ((await batch.commit()).ok) return linked.jobs;
  }
  throw new StoreUnavailableError("the groups of the new jobs kept changing; try again");
}
