/**
 * The KV file's layout version (`["layout", "version"]`, a number), its migration lock
 * (`["layout", "lock"]`, `{ owner, until }`) and its migrations, for the shared runner in
 * `../migrations.ts`. The lock is taken by an atomic commit that checks the lock entry read,
 * so of two openers one wins; a lock past its `until` is free, so a dead opener's lock does
 * not block the file.
 *
 * @example
 * ```ts ignore
 * import { KV_MIGRATIONS, KvLayout } from "./layout.ts";
 * await migrateLayout({ layout: new KvLayout(kv, clock), migrations: KV_MIGRATIONS, target: kv, clock, store: path });
 * ```
 * @module
 */
import type { Clock } from "../../clock.ts";
import type { LayoutRecord, Migration } from "../migrations.ts";
import { recordKey } from "./keys.ts";
import { commitWhileLocked } from "./lock_retry.ts";

const VERSION_KEY: Deno.KvKey = ["layout", "version"];
const LOCK_KEY: Deno.KvKey = ["layout", "lock"];
/** Deletes per commit, within KV's 1,000 mutations per atomic operation. */
const DELETES_PER_COMMIT = 500;

interface Lock {
  owner: string;
  until: number;
}

/** The version key and migration lock of one KV file. */
export class KvLayout implements LayoutRecord {
  readonly #kv: Deno.Kv;
  readonly #clock: Clock;

  constructor(kv: Deno.Kv, clock: Clock) {
    this.#kv = kv;
    this.#clock = clock;
  }

  async versionGet(): Promise<number> {
    return (await this.#kv.get<number>(VERSION_KEY)).value ?? 0;
  }

  async versionSet(version: number): Promise<void> {
    await this.#kv.set(VERSION_KEY, version);
  }

  async lockTake({ owner, ms }: { owner: string; ms: number }): Promise<boolean> {
    const held = await this.#kv.get<Lock>(LOCK_KEY);
    const now = this.#clock.now();
    if (held.value !== null && held.value.until > now && held.value.owner !== owner) return false;
    const lock: Lock = { owner, until: now + ms };
    return (await commitWhileLocked(this.#kv.atomic().check(held).set(LOCK_KEY, lock))).ok;
  }

  async lockRelease({ owner }: { owner: string }): Promise<void> {
    const held = await this.#kv.get<Lock>(LOCK_KEY);
    if (held.value?.owner !== owner) return;
    await commitWhileLocked(this.#kv.atomic().check(held).delete(LOCK_KEY));
  }
}

/** Deletes every key under `prefix`, in commits of {@linkcode DELETES_PER_COMMIT}. */
async function deletePrefix(kv: Deno.Kv, prefix: Deno.KvKey): Promise<void> {
  let keys: Deno.KvKey[] = [];
  const commit = async () => {
    const atomic = kv.atomic();
    for (const key of keys) atomic.delete(key);
    await commitWhileLocked(atomic);
    keys = [];
  };
  for await (const entry of kv.list({ prefix })) {
    keys.push(entry.key);
    if (keys.length === DELETES_PER_COMMIT) await commit();
  }
  if (keys.length > 0) await commit();
}

/**
 * The KV file's migrations, in order.
 *
 * 1. Files written before queued jobs lost their `["state", "queued", id]` entry (see
 *    `keys.ts`) still hold those entries, and nothing deletes them: a job's later writes
 *    move only the entries its record implies now. No record implies one any more.
 * 2. Queue pauses, task holds and dashboard sessions became keyed records (`../records.ts`)
 *    under `["record", space, key]`: they move there (a hold's value becomes `{ until }`).
 *    Worker entries are dropped: running workers write theirs again within a beat.
 * 3. Idempotency keys became keyed records (`src/guards/idempotency.ts`): each
 *    `["idem", key]` moves to `["record", "idempotency", key]`, kept until it stops holding.
 * 4. Schedules became keyed records (`src/scheduler/schedule_records.ts`): each
 *    `["schedule", name]` moves to its last run, `["record", "schedule", name]`, and, when
 *    paused, `["record", "schedule_pause", name]`.
 * 5. Debounce keys became keyed records (`src/guards/debounce.ts`): each
 *    `["debounce", task, key]` moves to `["record", "debounce", "<task>:<key>"]`. KV does not
 *    tell how long an entry had left, so each is kept {@linkcode OLD_DEBOUNCE_TTL_MS}, the
 *    longest any could have had: a record outliving its job's start joins nothing.
 * 6. Batches became keyed records (`src/batches/batch_records.ts`): each `["batch", id]`
 *    moves to `["record", "batch", id]` (a completed one kept until a week after it
 *    completed, as before) and each `["batch_open", id]` to `["record", "batch_open", id]`;
 *    the `["batch_count", id, state]` counters stay.
 * 7. Job log lines became keyed records (`src/job_log/job_log.ts`): each
 *    `["joblog", jobId, seq]` moves to `["record", "log", "<jobId>/<seq>"]`, kept until
 *    {@linkcode LOG_EXPIRE_MS} after it was written, as before. The statistics the store
 *    summed (`["stat", …]`) are dropped: they are records of `src/metrics/` now, counted
 *    from zero (Prometheus takes it as a counter reset).
 */
export const KV_MIGRATIONS: readonly Migration<Deno.Kv>[] = [
  {
    version: 1,
    name: "delete the stale [state, queued, id] entries",
    run: (kv) => deletePrefix(kv, ["state", "queued"]),
  },
  {
    version: 2,
    name: "move pauses, holds and sessions to keyed records",
    async run(kv, clock) {
      const ttl = (until: number) => ({ expireIn: Math.max(1, until - clock.now()) });
      await moveToRecords(kv, "paused", "queue_pause", () => ({ value: true }));
      await moveToRecords(kv, "task_hold", "task_hold", (until) => ({
        value: { until },
        options: ttl((until as number) + 60_000),
      }));
      await moveToRecords(kv, "session", "session", (session) => ({
        value: session,
        options: ttl((session as { expiresAt: number }).expiresAt),
      }));
      await deletePrefix(kv, ["worker"]);
    },
  },
  {
    version: 3,
    name: "move idempotency keys to keyed records",
    run: (kv, clock) =>
      moveToRecords(kv, "idem", "idempotency", (record) => ({
        value: record,
        options: {
          expireIn: Math.max(1, (record as { expiresAt: number }).expiresAt - clock.now()),
        },
      })),
  },
  {
    version: 4,
    name: "move schedules to keyed records",
    async run(kv) {
      for await (const entry of kv.list<ScheduleEntry>({ prefix: ["schedule"] })) {
        const name = entry.key[1] as string;
        const { paused, name: _, ...lastRun } = entry.value;
        const atomic = kv.atomic().check(entry).delete(entry.key);
        if (Object.keys(lastRun).length > 0) {
          atomic.set(recordKey({ space: "schedule", key: name }), lastRun);
        }
        if (paused) atomic.set(recordKey({ space: "schedule_pause", key: name }), true);
        await commitWhileLocked(atomic);
      }
    },
  },
  {
    version: 5,
    name: "move debounce keys to keyed records",
    async run(kv) {
      for await (const entry of kv.list({ prefix: ["debounce"] })) {
        const [, task, key] = entry.key as [string, string, string];
        await commitWhileLocked(
          kv.atomic().check(entry).delete(entry.key)
            .set(recordKey({ space: "debounce", key: `${task}:${key}` }), entry.value, {
              expireIn: OLD_DEBOUNCE_TTL_MS,
            }),
        );
      }
    },
  },
  {
    version: 6,
    name: "move batches to keyed records",
    async run(kv, clock) {
      await moveToRecords(kv, "batch", "batch", (batch) => {
        const { completedAt } = batch as { completedAt?: number };
        if (completedAt === undefined) return { value: batch };
        return {
          value: batch,
          options: { expireIn: Math.max(1, completedAt + COMPLETED_BATCH_TTL_MS - clock.now()) },
        };
      });
      await moveToRecords(kv, "batch_open", "batch_open", () => ({ value: true }));
    },
  },
  {
    version: 7,
    name: "move group and concurrency-key lanes to keyed records",
    async run(kv) {
      for (const kind of ["group", "concurrency"]) {
        for await (const entry of kv.list({ prefix: [kind] })) {
          const key = `${kind}:${entry.key[1] as string}`;
          await commitWhileLocked(
            kv.atomic().check(entry).delete(entry.key)
              .set(recordKey({ space: "lane", key }), entry.value, { expireIn: OLD_LANE_TTL_MS }),
          );
        }
      }
    },
  },
  {
    version: 8,
    name: "move job log lines to keyed records, drop the statistics",
    async run(kv, clock) {
      let atomic = kv.atomic();
      let pending = 0;
      for await (const entry of kv.list<{ at: number }>({ prefix: ["joblog"] })) {
        const [, jobId, seq] = entry.key as [string, string, string];
        const expireIn = Math.max(1, entry.value.at + LOG_EXPIRE_MS - clock.now());
        atomic.delete(entry.key)
          .set(recordKey({ space: "log", key: `${jobId}/${seq}` }), entry.value, { expireIn });
        if (++pending === LINES_PER_COMMIT) {
          await commitWhileLocked(atomic);
          [atomic, pending] = [kv.atomic(), 0];
        }
      }
      if (pending > 0) await commitWhileLocked(atomic);
      await deletePrefix(kv, ["stat"]);
    },
  },
];

/** How long a key's lanes were kept after its last enqueue (their time left is unknown). */
const OLD_LANE_TTL_MS = 30 * 86_400_000;

/** How long a job log line was and is kept after it was written. */
const LOG_EXPIRE_MS = 8 * 86_400_000;

/** Log lines moved per commit: a delete and a set each, within KV's 1,000 mutations. */
const LINES_PER_COMMIT = 200;

/** How long a completed batch's record was and is kept. */
const COMPLETED_BATCH_TTL_MS = 7 * 86_400_000;

/** The longest a debounce key was kept: a day's wait plus the hour of grace. */
const OLD_DEBOUNCE_TTL_MS = 25 * 3_600_000;

/** A schedule as layouts before 4 kept it under `["schedule", name]`. */
interface ScheduleEntry {
  name: string;
  paused: boolean;
  lastTickAt?: number;
  lastRunAt?: number;
  lastJobId?: string;
}

/**
 * Rewrites each `[from, key]` entry as the record `["record", space, key]` that `convert`
 * makes of its value, deleting the old entry in the same commit (safe to run again).
 */
async function moveToRecords(
  kv: Deno.Kv,
  from: string,
  space: string,
  convert: (value: unknown) => { value: unknown; options?: { expireIn: number } },
): Promise<void> {
  for await (const entry of kv.list({ prefix: [from] })) {
    const { value, options } = convert(entry.value);
    await commitWhileLocked(
      kv.atomic().check(entry).delete(entry.key)
        .set(recordKey({ space, key: entry.key[1] as string }), value, options),
    );
  }
}
