/**
 * Jobs linked to other jobs on PostgreSQL: inserts with `dependsOn` (parents gain the new
 * dependants), inserts into ordered groups (each group's newest job, its tail, gains the
 * new job as its successor), and a job settling with its dependants. Each runs inside one
 * transaction: the records it reads are locked (`FOR UPDATE`, or a group's advisory lock),
 * the decisions are `src/flows/`' and `src/guards/group.ts`' pure functions, and every write
 * is version-checked, so a change that lost a race rolls the whole transaction back.
 *
 * @example
 * ```ts ignore
 * await sql.begin((tx) => links.insertGrouped(tx, changes, jobs));
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import { dependantChanges } from "../../flows/cascade.ts";
import { linkNewJobs, outsideParents } from "../../flows/links.ts";
import { GROUP_TTL_MS, linkGroups } from "../../guards/group.ts";
import type { JobUpdate } from "../store.ts";
import type { ChangeSet, Runner } from "./changes.ts";
import type { PostgresReads } from "./reads.ts";
import type { SqlNames } from "./schema.ts";

/** Linked writes of one schema. */
export class PostgresLinks {
  readonly #names: SqlNames;
  readonly #reads: PostgresReads;

  constructor(names: SqlNames, reads: PostgresReads) {
    this.#names = names;
    this.#reads = reads;
  }

  /** Inserts `jobs` (some with `dependsOn`) linked to their parents, locked while linked. */
  async insertLinked(tx: Runner, changes: ChangeSet, jobs: Job[], now: number): Promise<Job[]> {
    const ids = outsideParents(jobs);
    const read = await this.#reads.getMany(ids, tx, true);
    const stored = new Map(read.flatMap((job) => job ? [[job.id, job] as const] : []));
    const linked = linkNewJobs(jobs, stored, now);
    await changes.updateAll(tx, linked.parents);
    await changes.insert(tx, linked.jobs);
    return linked.jobs;
  }

  /**
   * Inserts `jobs`, chaining those with a `group` behind its tail. Each group's advisory
   * lock (taken in name order) serialises producers appending to it.
   */
  async insertGrouped(tx: Runner, changes: ChangeSet, jobs: Job[]): Promise<Job[]> {
    if (jobs.some((job) => job.dependsOn)) {
      throw new RangeError("jobs with depends_on and jobs with a group go in separate inserts");
    }
    const groups = [...new Set(jobs.flatMap((job) => job.group === undefined ? [] : [job.group]))]
      .sort();
    for (const group of groups) {
      await tx.unsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
        `${this.#names.schema}:group:${group}`,
      ], { prepare: true });
    }
    const now = Math.max(...jobs.map((job) => job.createdAt));
    const rows = await tx.unsafe(
      `SELECT "group_key", "tail_id" FROM ${this.#names.table("groups")}
       WHERE "group_key" = ANY($1::text[]) AND "expires_at" > $2`,
      [groups, now],
      { prepare: true },
    );
    const tailIds = new Map<string, string>(
      (rows as { group_key: string; tail_id: string }[]).map((r) => [r.group_key, r.tail_id]),
    );
    const read = await this.#reads.getMany([...tailIds.values()], tx, true);
    const stored = new Map(read.flatMap((job) => job ? [[job.id, job] as const] : []));
    const tails = new Map(groups.map((g) => [g, stored.get(tailIds.get(g) ?? "") ?? null]));
    const linked = linkGroups(jobs, tails);
    await changes.updateAll(tx, linked.predecessors);
    await changes.insert(tx, linked.jobs);
    const newTails = [...linked.tails].sort(([a], [b]) => a < b ? -1 : 1);
    if (newTails.length > 0) {
      await tx.unsafe(
        `INSERT INTO ${this.#names.table("groups")} ("group_key", "tail_id", "expires_at")
         SELECT g, t, $3::bigint FROM unnest($1::text[], $2::text[]) AS x(g, t)
         ON CONFLICT ("group_key") DO UPDATE
         SET "tail_id" = excluded."tail_id", "expires_at" = excluded."expires_at"`,
        [newTails.map(([g]) => g), newTails.map(([, id]) => id), now + GROUP_TTL_MS],
        { prepare: true },
      );
    }
    return linked.jobs;
  }

  /**
   * Writes a settling job with the changes of its dependants (and theirs, when canceled),
   * read under lock; `RacedError` when the job is no longer at `before.version`.
   */
  async settle(tx: Runner, changes: ChangeSet, update: JobUpdate): Promise<void> {
    const [current] = await this.#reads.getMany([update.before.id], tx, true);
    if (current?.version !== update.before.version) {
      await changes.updateAll(tx, [update]); // answers RacedError
      return;
    }
    const cascade = await dependantChanges(
      [update.after],
      (ids) => this.#reads.getMany(ids, tx, true),
    );
    await changes.updateAll(tx, [update, ...cascade]);
  }
}
