/**
 * Two openers migrating one store at once, on each store's real layout record: exactly
 * one runs the migration while the other waits (on a fake clock) for the version to arrive.
 *
 * @example
 * ```ts ignore
 * await assertMigratesOnce([new KvLayout(kvA, clock), new KvLayout(kvB, clock)], clock);
 * ```
 * @module
 */
import type { FakeClock } from "../../src/clock.ts";
import {
  type LayoutRecord,
  migrateLayout,
  type Migration,
  MIGRATION_LOCK_MS,
  MIGRATION_POLL_MS,
} from "../../src/store/migrations.ts";
import { assertEquals } from "../assert.ts";

/**
 * One migration that counts its runs, tells when it has started and holds until `finish`
 * is called.
 */
function heldMigration() {
  let runs = 0;
  let started!: () => void;
  const running = new Promise<void>((resolve) => started = resolve);
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => finish = resolve);
  const migrations: Migration<null>[] = [{
    version: 1,
    name: "held",
    run: async () => {
      runs++;
      started();
      await gate;
    },
  }];
  return { migrations, running, finish, runs: () => runs };
}

/** Runs one counting migration from two layouts of the same store at once. */
export async function assertMigratesOnce(
  [first, second]: [LayoutRecord, LayoutRecord],
  clock: FakeClock,
): Promise<void> {
  const { migrations, running, finish, runs } = heldMigration();
  let refused!: () => void;
  const waiting = new Promise<void>((resolve) => refused = resolve);
  // Tells when an opener found the lock taken (it then sleeps on the clock).
  const watched = (layout: LayoutRecord): LayoutRecord => ({
    versionGet: () => layout.versionGet(),
    versionSet: (version) => layout.versionSet(version),
    lockRelease: (params) => layout.lockRelease(params),
    lockTake: async (params) => {
      const taken = await layout.lockTake(params);
      if (!taken) refused();
      return taken;
    },
  });
  const open = (layout: LayoutRecord) =>
    migrateLayout({ layout: watched(layout), migrations, target: null, clock, store: "test" });
  const openers = [open(first), open(second)];
  await Promise.all([running, waiting]);
  finish();
  await Promise.race(openers); // the migrating one: the other sleeps until the clock moves
  clock.advance(MIGRATION_POLL_MS);
  assertEquals(await Promise.all(openers), [1, 1]);
  assertEquals(runs(), 1);
  assertEquals(await first.versionGet(), 1);
}

/**
 * Runs a migration that lasts four of the lock's leases from one layout while a second
 * opener waits: the holder renews its lock, so the second never takes it nor runs the step.
 */
export async function assertLockRenewed(
  [first, second]: [LayoutRecord, LayoutRecord],
  clock: FakeClock,
): Promise<void> {
  const { migrations, running, finish, runs } = heldMigration();
  const open = (layout: LayoutRecord) =>
    migrateLayout({ layout, migrations, target: null, clock, store: "test" });
  const migrating = open(first);
  await running;
  const waiting = open(second);
  // Each step wakes the holder's renewal and the waiting opener's poll: let both sleep again.
  const settled = async () => {
    const deadline = Date.now() + 10_000;
    while (clock.pendingSleeps < 2) {
      if (Date.now() > deadline) throw new Error("an opener stopped sleeping: it took the lock");
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  await settled();
  for (let step = 0; step < 12; step++) {
    clock.advance(MIGRATION_LOCK_MS / 3);
    await settled();
  }
  assertEquals(runs(), 1, "the waiting opener never took the lock");
  finish();
  assertEquals(await migrating, 1);
  clock.advance(MIGRATION_POLL_MS);
  assertEquals(await waiting, 1);
  assertEquals(runs(), 1);
}
