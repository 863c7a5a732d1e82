/**
 * Jobs chained under a group or concurrency key on PostgreSQL: a full lane's tail gains the
 * new job as its successor, and a row of `groups` per key holds its lane tails. It runs
 * inside one transaction: the records it reads are locked (`FOR UPDATE`, or a key's
 * advisory lock), the decisions are `src/guards/group.ts`' pure functions, and every write
 * is version-checked, so a change that lost a race rolls the whole transaction back.
 *
 * @example
 * ```ts ignore
 * await sql.begin((tx) => links.insertGrouped(tx, changes, jobs));
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import {
  chainId,
  chainKeys,
  GROUP_TTL_MS,
  laneIds,
  laneRecord,
  laneTails,
  linkChains,
} from "../../guards/group.ts";
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
}
