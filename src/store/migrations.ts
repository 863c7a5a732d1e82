/**
 * Layout versions: every store records the version of its key layout under one key, and
 * at open the pending migrations run in order, once, before anything else reads the store.
 * Each store lists its migrations (`kv/layout.ts`, `redis/layout.ts`); this runner is
 * shared. Of several processes opening at once, the one that takes the store's migration
 * lock migrates and records each new version; the others wait for the version to arrive.
 * A store whose version is above the newest this code knows was written by a newer tq,
 * and is refused ({@linkcode StoreTooNewError}).
 *
 * @example
 * ```ts ignore
 * import { migrateLayout } from "./migrations.ts";
 * await migrateLayout({ layout, migrations: KV_MIGRATIONS, target: kv, clock, store: "KV file" });
 * ```
 * @module
 */
import type { Clock } from "../clock.ts";
import { StoreTooNewError } from "../errors.ts";

/**
 * The step from layout `version - 1` to `version`. It must be safe to run again: an opener
 * that dies half-way, or whose lock lapses, leaves it to the next.
 */
export interface Migration<T> {
  version: number;
  /** What it changes, for people. */
  name: string;
  /** `clock` gives the time for what it moves with an expiry. */
  run(target: T, clock: Clock): Promise<void>;
}

/** A store's version key and the lock beside it. */
export interface LayoutRecord {
  /** The recorded version: 0 for a new store or one written before versions were kept. */
  versionGet(): Promise<number>;
  /** Records `version`. */
  versionSet(version: number): Promise<void>;
  /**
   * Takes the migration lock for `ms` as `owner`, or extends it if `owner` holds it: false
   * while someone else holds it.
   */
  lockTake(params: { owner: string; ms: number }): Promise<boolean>;
  /** Gives the lock up, if `owner` still holds it. */
  lockRelease(params: { owner: string }): Promise<void>;
}

/** Parameters of {@linkcode migrateLayout}. */
export interface MigrateParams<T> {
  layout: LayoutRecord;
  /** In version order, from 1 up, no gaps. */
  migrations: readonly Migration<T>[];
  /** What the migrations work on (the KV handle, the Redis client). */
  target: T;
  clock: Clock;
  /** The store's name in errors: "KV file ./data/tq.db", "Redis prefix tq". */
  store: string;
}

/**
 * The migration lock's lease. Its holder renews it every third of this while it migrates,
 * however long that takes; if it dies (killed mid-upgrade), the next opener takes over after
 * this, not after the longest migration there could be.
 */
export const MIGRATION_LOCK_MS = 15_000;
/** How often a waiting opener looks whether the migrating one has finished. */
export const MIGRATION_POLL_MS = 100;

/**
 * Brings the store at `layout` to the newest version of `migrations` and resolves with it;
 * throws {@linkcode StoreTooNewError} when the store is newer than that.
 *
 * @example
 * ```ts ignore
 * const version = await migrateLayout({ layout, migrations, target, clock, store: "Redis" });
 * ```
 */
export async function migrateLayout<T>(params: MigrateParams<T>): Promise<number> {
  const { layout, migrations, target, clock, store } = params;
  migrations.forEach((migration, i) => {
    if (migration.version !== i + 1) {
      throw new RangeError(
        `migration "${migration.name}" is version ${migration.version}, not ${i + 1}`,
      );
    }
  });
  const latest = migrations.length;
  const checked = async () => {
    const version = await layout.versionGet();
    if (version > latest) throw new StoreTooNewError(store, version, latest);
    return version;
  };
  const owner = crypto.randomUUID();
  while (await checked() < latest) {
    if (!await layout.lockTake({ owner, ms: MIGRATION_LOCK_MS })) {
      await clock.sleep(MIGRATION_POLL_MS);
      continue;
    }
    try {
      await whileRenewing(layout, owner, clock, async () => {
        // Read again under the lock: another opener may have finished since.
        for (const migration of migrations.slice(await checked())) {
          await migration.run(target, clock);
          await layout.versionSet(migration.version);
        }
      });
    } finally {
      await layout.lockRelease({ owner });
    }
  }
  return latest;
}

/** Runs `work`, renewing `owner`'s lock every third of its lease until `work` ends. */
async function whileRenewing(
  layout: LayoutRecord,
  owner: string,
  clock: Clock,
  work: () => Promise<void>,
): Promise<void> {
  const done = new AbortController();
  const renewing = (async () => {
    while (true) {
      await clock.sleep(MIGRATION_LOCK_MS / 3, done.signal);
      if (done.signal.aborted) return;
      await layout.lockTake({ owner, ms: MIGRATION_LOCK_MS });
    }
  })();
  try {
    await work();
  } finally {
    done.abort();
    await renewing;
  }
}
