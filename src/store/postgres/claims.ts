/**
 * Claims on PostgreSQL. The plain claim is one statement per queue: the best ready rows
 * (`ORDER BY priority, run_at, id` on the `jobs_ready` index) locked with
 * `FOR UPDATE SKIP LOCKED`, so claimants in any number of processes pass each other's rows
 * instead of waiting, and `claimJob`'s change applied to them in the same `UPDATE`. Under
 * caps (`CappedClaimParams.caps`) the candidates are locked the same way and taken as
 * `../claim_caps.ts` allows (noting the caps that held one back); those passed over are
 * released at commit and stay ready. Of a task whose cap is used up, only the first row is
 * read (not locked), to tell it held a job back; of a queue whose cap is used up, only its
 * next row.
 *
 * @example
 * ```ts ignore
 * const claims = new PostgresClaims(names);
 * const jobs = await claims.plain(tx, changes, { queue: "mail", limit: 10, workerId, now, leaseMs });
 * ```
 * @module
 */
import type { Job } from "../../job.ts";
import { claimJob } from "../../transitions/mod.ts";
import type { CapsLeft } from "../claim_caps.ts";
import type { ChangeSet, Runner } from "./changes.ts";
import type { SqlNames } from "./schema.ts";

/** Ready rows a capped claim locks per queue at most: how far past held-back jobs it sees. */
const SCAN_ROWS = 300;

/** One queue's claim. */
export interface QueueClaim {
  queue: string;
  limit: number;
  workerId: string;
  now: number;
  leaseMs: number;
}

/** Best first: the order of the ready index. */
const readyOrder = (a: Job, b: Job) =>
  a.priority - b.priority || a.runAt - b.runAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Whether a capped claim may pass over rows it locks (a task's cap above 0 may be used up
 * on the way), so it locks more than it takes, to claim past them.
 */
const passesOver = (caps: CapsLeft) =>
  Object.values(caps.remaining().tasks ?? {}).some((n) => n > 0);

/** The claim statements of one schema. */
export class PostgresClaims {
  readonly #names: SqlNames;

  constructor(names: SqlNames) {
    this.#names = names;
  }

  /** Claims up to `limit` ready jobs of one queue, best first. */
  async plain(tx: Runner, changes: ChangeSet, claim: QueueClaim): Promise<Job[]> {
    const jobs = this.#names.table("jobs");
    // The new record is `claimJob`'s: state, attempts, startedAt, workerId, lease, version.
    const rows = await tx.unsafe(
      `WITH picked AS (
         SELECT "id", "record" FROM ${jobs}
         WHERE "state" = 'queued' AND "queue" = $1
         ORDER BY "priority", "run_at", "id" LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE ${jobs} AS j SET
         "state" = 'started', "version" = j."version" + 1, "lease_expires_at" = $4::bigint,
         "record" = j."record" || jsonb_build_object(
           'state', 'started', 'version', j."version" + 1,
           'attempts', (j."record"->>'attempts')::integer + 1,
           'startedAt', $3::bigint, 'workerId', $5::text, 'leaseExpiresAt', $4::bigint)
       FROM picked WHERE j."id" = picked."id"
       RETURNING picked."record" AS "before", j."record" AS "after"`,
      [claim.queue, claim.limit, claim.now, claim.now + claim.leaseMs, claim.workerId],
      { prepare: true },
    );
    const claimed = (rows as { before: Job; after: Job }[]).map(({ before, after }) => {
      changes.count(before, after);
      return after;
    });
    return claimed.sort(readyOrder);
  }

  /**
   * Claims up to `limit` ready jobs of one queue that `caps` allow, counting them against it;
   * candidates passed over are released at commit and stay ready.
   */
  async capped(
    tx: Runner,
    changes: ChangeSet,
    claim: QueueClaim & { caps: CapsLeft },
  ): Promise<Job[]> {
    const { queue, limit, caps, now, workerId, leaseMs } = claim;
    const jobs = this.#names.table("jobs");
    // Jobs no cap lets in are read, not locked: a claimant looking at them at the same time
    // sees them too (SKIP LOCKED would hide them), and tells they are held back.
    const rows = caps.queueFull(queue)
      ? await tx.unsafe(
        `SELECT "record" FROM ${jobs} WHERE "state" = 'queued' AND "queue" = $1
         ORDER BY "priority", "run_at", "id" LIMIT 1`,
        [queue],
        { prepare: true },
      )
      : await tx.unsafe(
        `WITH "open" AS (
           SELECT "record" FROM ${jobs}
           WHERE "state" = 'queued' AND "queue" = $1 AND NOT ("task" = ANY($3::text[]))
           ORDER BY "priority", "run_at", "id" LIMIT $2 FOR UPDATE SKIP LOCKED
         ), "capped" AS (
           SELECT "first"."record" FROM unnest($3::text[]) AS "t"("name")
           CROSS JOIN LATERAL (
             SELECT "record" FROM ${jobs}
             WHERE "state" = 'queued' AND "queue" = $1 AND "task" = "t"."name"
             ORDER BY "priority", "run_at", "id" LIMIT 1
           ) AS "first"
         )
         SELECT "record" FROM "open" UNION ALL SELECT "record" FROM "capped"`,
        [queue, passesOver(caps) ? SCAN_ROWS : limit, caps.tasksFull()],
        { prepare: true },
      );
    const updates = [];
    for (const before of (rows as { record: Job }[]).map((row) => row.record).sort(readyOrder)) {
      if (updates.length >= limit) break;
      if (caps.take(before)) {
        updates.push({ before, after: claimJob(before, { workerId, now, leaseMs }) });
      } else if (caps.queueFull(queue)) break;
    }
    await changes.updateAll(tx, updates);
    return updates.map((u) => u.after);
  }
}
