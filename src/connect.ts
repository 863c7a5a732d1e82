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
 * tq.close();
 * ```
 * @module
 */
import { type Clock, systemClock } from "./clock.ts";
import type { Logger } from "./log.ts";
import { Producer } from "./producer.ts";
import { useProducer } from "./registry/default_producer.ts";
import type { Registry } from "./registry/registry.ts";
import { openKvStore } from "./store/kv/kv_store.ts";
import { openRedisStore } from "./store/redis/redis_store.ts";
import type { Store } from "./store/store.ts";
import type { StoreLocation } from "./store/location.ts";
import { compileSchedules, type Schedule, type ScheduleDefinition } from "./scheduler/schedule.ts";

/** The default KV file, relative to the working directory. */
export const DEFAULT_DB = "./data/tq.db";

/** Where the jobs live and which tasks exist. */
export interface ConnectOptions {
  registry: Registry;
  /** Deno KV file (default `TQ_DB`, then `./data/tq.db`). */
  db?: string;
  /** Redis URL (default `TQ_REDIS_URL`): when set, jobs live in Redis instead of a KV file. */
  redis?: string;
  /** Key prefix in Redis, so several apps share one (default `TQ_REDIS_PREFIX`, then `tq`). */
  redisPrefix?: string;
  /** CA of a `rediss://` server's certificate, PEM (default `TQ_REDIS_CA_FILE`). */
  redisCaFile?: string;
  clock?: Clock;
  /** Where the producer logs `job:enqueued` lines; none by default. */
  logger?: Logger;
  /** Recurring jobs (checked here: a bad one throws a `TypeError` naming it). */
  schedules?: readonly ScheduleDefinition[];
}

/** An open store with its producer. */
export interface Connection {
  store: Store;
  producer: Producer;
  registry: Registry;
  /** The checked schedules, for `tq cron` and `/schedules`. */
  schedules: Schedule[];
  /** Where the store is, so a worker's helper threads and processes can open it too. */
  location: StoreLocation;
  /** Closes the store and unbinds the producer. */
  close(): void;
}

/** Opens the store and makes its producer the one `task.enqueue()` goes through. */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const clock = options.clock ?? systemClock;
  const schedules = compileSchedules(options.schedules ?? [], options.registry);
  const redis = options.redis ?? Deno.env.get("TQ_REDIS_URL");
  const prefix = options.redisPrefix ?? Deno.env.get("TQ_REDIS_PREFIX");
  const caFile = options.redisCaFile ?? Deno.env.get("TQ_REDIS_CA_FILE");
  const path = options.db ?? Deno.env.get("TQ_DB") ?? DEFAULT_DB;
  const location: StoreLocation = redis
    ? { kind: "redis", url: redis, prefix, caFile }
    : { kind: "kv", path };
  const store = redis
    ? await openRedisStore(redis, { prefix, clock, caFile })
    : await openKvStore(path, { clock });
  const producer = new Producer({
    store,
    registry: options.registry,
    clock,
    logger: options.logger,
  });
  useProducer(producer);
  return {
    store,
    producer,
    registry: options.registry,
    schedules,
    location,
    close() {
      useProducer(undefined);
      store.close();
    },
  };
}
