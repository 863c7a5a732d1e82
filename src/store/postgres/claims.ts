/**
 * Claims on PostgreSQL. The plain claim is one statement per queue: the best ready rows
 * (`ORDER BY priority, run_at, id` on the `jobs_ready` index) locked with
 * `FOR UPDATE SKIP LOCKED`, so claimants in any number of processes pass each other's rows
 * instead of waiting, and `claimJob`'s change applied to them in the same `UPDATE`. Under
 * rate limits the candidates are locked the same way, admitted by `admitJobs` (the rule
 * KV and Redis apply) against the window rows, themselves serialised by advisory locks, and
 * written with the windows; candidates held back are released at commit and stay ready.
 *
 * @example
 * ```ts ignore
 * const claims = new PostgresClaims(names, systemClock);
 * const jobs = await claims.plain(tx, changes, { queue: "mail", limit: 10, workerId, now, leaseMs });
 * ```
 * @module
 */
import type { Clock } from "../../clock.ts";
import type { Job } from "../../job.ts";
import { claimJob } from "../../transitions/mod.ts";
import { admitJobs } from "../../guards/rate_limit_window.ts";
import { rateLimitKeys, type RateLimits } from "../../guards/rate_limit.ts";
import type { ChangeSet, Runner } from "./changes.ts";
import type { SqlNames } from "./schema.ts";

/** Ready rows a rate-limited claim looks at per queue: how far past held-back jobs it sees. */
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

/** The claim statements of one schema. */
export class PostgresClaims {
  readonly #names: SqlNames;
  readonly #clock: Clock;
  /** After the last limited claim: when a held-back job could start, by the store's clock. */
  #wakeAt = Infinity;

  constructor(names: SqlNames, clock: Clock) {
    this.#names = names;
    this.#clock = clock;
  }

  /** How long an idle claimant should wait at most: `timeoutMs`, or less if a window frees. */
  waitMs(timeoutMs: number): number {
    return Math.max(0, Math.min(timeoutMs, this.#wakeAt - this.#clock.now()));
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

  /** Claims up to `limit` ready jobs of one queue that `limits` admit now. */
  async limited(
    tx: Runner,
    changes: ChangeSet,
    claim: QueueClaim & { limits: RateLimits },
  ): Promise<{ jobs: Job[]; wakeAt: number | null }> {
    const { queue, limit, limits, now, workerId, leaseMs } = claim;
    const rows = await tx.unsafe(
      `SELECT "record" FROM ${this.#names.table("jobs")}
       WHERE "state" = 'queued' AND "queue" = $1
       ORDER BY "priority", "run_at", "id" LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [queue, SCAN_ROWS],
      { prepare: true },
    );
    const candidates = (rows as { record: Job }[]).map((row) => row.record);
    const keys = [...new Set(candidates.flatMap((job) => rateLimitKeys(limits, queue, job.task)))]
      .sort();
    for (const key of keys) {
      await tx.unsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
        `${this.#names.schema}:rate:${key}`,
      ], { prepare: true });
    }
    const windows = new Map<string, number[]>();
    if (keys.length > 0) {
      const read = await tx.unsafe(
        `SELECT "key", "starts" FROM ${this.#names.table("rate_windows")}
         WHERE "key" = ANY($1::text[])`,
        [keys],
        { prepare: true },
      );
      for (const row of read as { key: string; starts: number[] }[]) {
        windows.set(row.key, row.starts);
      }
    }
    const admission = admitJobs(candidates, { limits, now, windows, max: limit });
    const updates = admission.admitted.map((before) => ({
      before,
      after: claimJob(before, { workerId, now, leaseMs }),
    }));
    await changes.updateAll(tx, updates);
    const changed = [...admission.changed].sort(([a], [b]) => a < b ? -1 : 1);
    if (changed.length > 0) {
      await tx.unsafe(
        `INSERT INTO ${this.#names.table("rate_windows")} ("key", "starts")
         SELECT k, s::jsonb FROM unnest($1::text[], $2::text[]) AS w(k, s)
         ON CONFLICT ("key") DO UPDATE SET "starts" = excluded."starts"`,
        [changed.map(([key]) => key), changed.map(([, starts]) => JSON.stringify(starts))],
        { prepare: true },
      );
    }
    return { jobs: updates.map((u) => u.after), wakeAt: admission.wakeAt };
  }

  /** After a limited claim of every queue: the earliest a held-back job could start. */
  noteWake(wakeAt: number): void {
    this.#wakeAt = wakeAt;
  }
}
