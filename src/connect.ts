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
import { CallbackEgress } from "./callbacks/egress.ts";
import { useProducer } from "./registry/default_producer.ts";
import type { Registry } from "./registry/registry.ts";
import type { Store } from "./store/store.ts";
import { openStoreAt, type StoreLocation } from "./store/location.ts";
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
  /**
   * Nodes of a Redis Cluster, as URLs or one string of them separated by commas (default
   * `TQ_REDIS_CLUSTER`): when set, jobs live in that cluster. Any nodes of it will do; the
   * client learns the others.
   */
  redisCluster?: string | readonly string[];
  /**
   * Replicas of a Redis Cluster that must hold a new job before its enqueue returns
   * (default `TQ_REDIS_CLUSTER_REPLICAS`, then 1; 0 acknowledges once the primary has it).
   */
  redisClusterReplicas?: number;
  /**
   * Key prefix in Redis, so several apps share one (default `TQ_REDIS_PREFIX`, then `tq`;
   * on a cluster `{tq}`, and it must hold a `{hash tag}`).
   */
  redisPrefix?: string;
  /** CA of a `rediss://` server's certificate, PEM (default `TQ_REDIS_CA_FILE`). */
  redisCaFile?: string;
  /**
   * PostgreSQL URL (default `TQ_POSTGRES_URL`): when set, jobs live in PostgreSQL, and
   * `task.enqueue(input, { transaction })` writes a job inside the caller's transaction.
   */
  postgres?: string;
  /** The schema of tq's tables in PostgreSQL (default `TQ_POSTGRES_SCHEMA`, then `tq`). */
  postgresSchema?: string;
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
  /** Closes the store and unbinds the producer. */
  close(): void;
}

/** The URLs in a comma-separated list (none for an empty or missing one). */
function splitUrls(list: string | undefined): string[] | undefined {
  const urls = (list ?? "").split(",").map((url) => url.trim()).filter((url) => url !== "");
  return urls.length > 0 ? urls : undefined;
}

function replicaCount(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 0) {
    throw new TypeError(`TQ_REDIS_CLUSTER_REPLICAS: "${text}" must be a whole number, 0 or more`);
  }
  return count;
}

/** Opens the store and makes its producer the one `task.enqueue()` goes through. */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const clock = options.clock ?? systemClock;
  const schedules = compileSchedules(options.schedules ?? [], options.registry);
  const callbackAllow = options.callbackAllow ??
    (Deno.env.get("TQ_CALLBACK_ALLOW") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  new CallbackEgress(callbackAllow); // A bad entry throws before the store is opened.
  const redis = options.redis ?? Deno.env.get("TQ_REDIS_URL");
  const prefix = options.redisPrefix ?? Deno.env.get("TQ_REDIS_PREFIX");
  const caFile = options.redisCaFile ?? Deno.env.get("TQ_REDIS_CA_FILE");
  const clusterOption = options.redisCluster ?? Deno.env.get("TQ_REDIS_CLUSTER");
  const cluster = typeof clusterOption === "string" ? splitUrls(clusterOption) : clusterOption;
  const replicas = options.redisClusterReplicas ??
    replicaCount(Deno.env.get("TQ_REDIS_CLUSTER_REPLICAS"));
  const postgres = options.postgres ?? Deno.env.get("TQ_POSTGRES_URL");
  const schema = options.postgresSchema ?? Deno.env.get("TQ_POSTGRES_SCHEMA");
  const chosen = [
    redis ? "a Redis URL" : "",
    cluster && cluster.length > 0 ? "a Redis Cluster" : "",
    postgres ? "a PostgreSQL URL" : "",
  ].filter(Boolean);
  if (chosen.length > 1) {
    throw new TypeError(`${chosen.slice(0, 2).join(" and ")} are both set: choose one store`);
  }
  const location: StoreLocation = postgres
    ? { kind: "postgres", url: postgres, schema }
    : cluster && cluster.length > 0
    ? { kind: "redis-cluster", urls: [...cluster], prefix, caFile, replicas }
    : redis
    ? { kind: "redis", url: redis, prefix, caFile }
    : { kind: "kv", path: options.db ?? Deno.env.get("TQ_DB") ?? DEFAULT_DB };
  const store = await openStoreAt(location, clock);
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
    close() {
      useProducer(undefined);
      store.close();
    },
  };
}
