/**
 * `connect()`: opens the store and binds the producer that `task.enqueue()` uses. What an
 * application calls once at start-up, and what every `tq` command does first.
 *
 * @example
 * ```ts ignore
 * import { connect } from "./connect.ts";
 * import { registry, sendNotification } from "../tasks/mod.ts";
 * const tq = await connect({ registry, db: "./data/tq.db" });
 * await sendNotification.enqueue({ email: "ada@example.com", message: "hi" });
 * await tq.close();
 * ```
 * @module
 */
import { type Clock, systemClock } from "./clock.ts";
import { type Logger, silentLogger } from "./log.ts";
import { Producer } from "./producer.ts";
import { CallbackEgress } from "./callbacks/egress.ts";
import { useProducer } from "./registry/default_producer.ts";
import type { Registry } from "./registry/registry.ts";
import type { Store } from "./store/store.ts";
import { openStoreAt, type StoreLocation } from "./store/location.ts";
import { withLinks } from "./flows/linked_store.ts";
import { storeLocation, type StoreOptions } from "./store_options.ts";
import { StatTally } from "./metrics/stat_tally.ts";
import { StatsFlusher } from "./metrics/stats_flusher.ts";
import { compileSchedules, type Schedule, type ScheduleDefinition } from "./scheduler/schedule.ts";

/** Where the jobs live (see `store_options.ts`) and which tasks exist. */
export interface ConnectOptions extends StoreOptions {
  registry: Registry;
  clock?: Clock;
  /** Where the producer logs `job:enqueued` lines; none by default. */
  logger?: Logger;
  /**
   * Callback hosts and CIDRs allowed although internal (default `TQ_CALLBACK_ALLOW`,
   * comma-separated); see `src/callbacks/egress.ts`.
   */
  callbackAllow?: readonly string[];
  /** Recurring jobs (checked here: a bad one throws a `TypeError` naming it). */
  schedules?: readonly ScheduleDefinition[];
}

/** An open store with its producer. */
export interface Connection {
  store: Store;
  producer: Producer;
  registry: Registry;
  /** The callback allow list in effect, for the workers' senders. */
  callbackAllow: readonly string[];
  /** The checked schedules, for `tq cron` and `/schedules`. */
  schedules: Schedule[];
  /** Where the store is, so a worker's helper threads and processes can open it too. */
  location: StoreLocation;
  /**
   * Writes this process's job statistics every second (`src/metrics/stats_flusher.ts`);
   * a reader in this process flushes it first to see its own counts.
   */
  stats: StatsFlusher;
  /** Writes the statistics left, closes the store and unbinds the producer. */
  close(): Promise<void>;
}

/** Opens the store and makes its producer the one `task.enqueue()` goes through. */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const clock = options.clock ?? systemClock;
  const schedules = compileSchedules(options.schedules ?? [], options.registry);
  const callbackAllow = options.callbackAllow ??
    (Deno.env.get("TQ_CALLBACK_ALLOW") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  new CallbackEgress(callbackAllow); // A bad entry throws before the store is opened.
  const location = storeLocation(options);
  const tally = new StatTally();
  const store = withLinks(await openStoreAt(location, clock, tally.add));
  const stats = new StatsFlusher({ store, tally, clock, logger: options.logger ?? silentLogger });
  stats.start();
  const producer = new Producer({
    store,
    registry: options.registry,
    clock,
    logger: options.logger,
    callbackAllow,
  });
  useProducer(producer);
  return {
    store,
    producer,
    registry: options.registry,
    callbackAllow,
    schedules,
    location,
    stats,
    async close() {
      useProducer(undefined);
      await stats.stop();
      // PostgreSQL's close settles once its connections are ended; the others' at once.
      await store.close();
    },
  };
}
