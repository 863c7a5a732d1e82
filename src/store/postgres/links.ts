/**
 * Jobs linked to other jobs on PostgreSQL: inserts with `dependsOn` (parents gain the new
 * dependants), inserts under a group or concurrency key (chained into the key's lanes: a
 * full lane's tail gains the new job as its successor; a row of `groups` per key holds its
 * lane tails), and a job settling with its dependants (a job that left its lane while
 * waiting hands its successor over, `src/flows/cascade.ts`). Each runs inside one
 * transaction: the records it reads are locked (`FOR UPDATE`, or a key's advisory lock),
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
import {
  chainId,
  chainKeys,
  GROUP_TTL_MS,
  laneIds,
  laneRecord,
  laneTails,
  linkChains,
} from "../../guards/group.ts";
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
   * Inserts `jobs`, chaining those with a group or concurrency key into the key's lanes.
   * Each key's advisory lock (taken in name order) serialises producers appending to it.
   */
  async insertGrouped(tx: Runner, changes: ChangeSet, jobs: Job[]): Promise<Job[]> {
    if (jobs.some((job) => job.dependsOn)) {
      throw new RangeError("jobs with depends_on and jobs with a group go in separate inserts");
    }
    const keys = chainKeys(jobs);
    const ids = keys.map(chainId);
    for (const id of [...ids].sort()) {
      await tx.unsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
        `${this.#names.schema}:${id}`,
      ], { prepare: true });
    }
    const now = Math.max(...jobs.map((job) => job.createdAt));
    const rows = await tx.unsafe(
      `SELECT "group_key", "lanes" FROM ${this.#names.table("groups")}
       WHERE "group_key" = ANY($1::text[]) AND "expires_at" > $2`,
      [ids, now],
      { prepare: true },
    );
    const records = new Map<string, string>(
      (rows as { group_key: string; lanes: string }[]).map((r) => [r.group_key, r.lanes]),
    );
    const resolved = await laneTails(
      ids.map((id) => laneIds(records.get(id) ?? null)),
      (tailIds) => this.#reads.getMany(tailIds, tx, true),
    );
    const linked = linkChains(jobs, new Map(ids.map((id, i) => [id, resolved[i]])));
    await changes.updateAll(tx, linked.predecessors);
    await changes.insert(tx, linked.jobs);
    await tx.unsafe(
      `INSERT INTO ${this.#names.table("groups")} ("group_key", "lanes", "expires_at")
       SELECT g, l, $3::bigint FROM unnest($1::text[], $2::text[]) AS x(g, l)
       ON CONFLICT ("group_key") DO UPDATE
       SET "lanes" = excluded."lanes", "expires_at" = excluded."expires_at"`,
      [ids, ids.map((id) => laneRecord(linked.lanes.get(id)!)), now + GROUP_TTL_MS],
      { prepare: true },
    );
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
