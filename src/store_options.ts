/**
 * Which store `connect()` opens, and with what settings: one resolution for the library and
 * every `tq` command. An explicit option beats its environment variable, and an explicit
 * store beats a store chosen by the environment; two explicit stores, or two stores in the
 * environment, are refused instead of one silently winning. `TQ_DB` only names the KV file
 * used when no other store is chosen.
 *
 * @example
 * ```ts
 * import { storeLocation } from "./store_options.ts";
 * const env = { TQ_REDIS_URL: "redis://127.0.0.1:6379" };
 * const location = storeLocation({ db: "./jobs.db" }, (name) => env[name as keyof typeof env]);
 * console.assert(location.kind === "kv" && location.path === "./jobs.db");
 * ```
 * @module
 */
import type { StoreLocation } from "./store/location.ts";

/** The default KV file, relative to the working directory. */
export const DEFAULT_DB = "./data/tq.db";

/** Where the jobs live: at most one of `db`, `redis`, `redisCluster` and `postgres`. */
export interface StoreOptions {
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
}

/** Reads an environment variable (`Deno.env.get`, or a map in tests). */
export type ReadEnv = (name: string) => string | undefined;

/** The options that choose a store, each with its variable and its name in refusals. */
const STORE_CHOICES = [
  { option: "db", variable: "TQ_DB", name: "a KV file" },
  { option: "redis", variable: "TQ_REDIS_URL", name: "a Redis URL" },
  { option: "redisCluster", variable: "TQ_REDIS_CLUSTER", name: "a Redis Cluster" },
  { option: "postgres", variable: "TQ_POSTGRES_URL", name: "a PostgreSQL URL" },
] as const;

/** The store option names, for callers that map their own flags onto them. */
export type StoreChoice = typeof STORE_CHOICES[number]["option"];

/** The URLs in a comma-separated list (none for an empty one). */
function splitUrls(list: string | readonly string[]): string[] {
  const urls = typeof list === "string" ? list.split(",") : list;
  return urls.map((url) => url.trim()).filter((url) => url !== "");
}

function replicaCount(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 0) {
    throw new TypeError(`TQ_REDIS_CLUSTER_REPLICAS: "${text}" must be a whole number, 0 or more`);
  }
  return count;
}

/** Whether a store option or variable names a store (an empty string or list does not). */
function names(value: string | readonly string[] | undefined): boolean {
  return value !== undefined && splitUrls(value).length > 0;
}

/** Refuses two chosen stores, naming the first two. */
function chooseOne<T extends { name: string }>(chosen: T[], how: string): T | undefined {
  if (chosen.length > 1) {
    throw new TypeError(
      `${chosen[0].name} and ${chosen[1].name} are both ${how}: choose one store`,
    );
  }
  return chosen[0];
}

/**
 * The store `options` choose, falling back on the environment option by option; throws a
 * `TypeError` for two stores given at the same level or a bad `TQ_REDIS_CLUSTER_REPLICAS`.
 *
 * @example
 * ```ts
 * import { storeLocation } from "./store_options.ts";
 * const location = storeLocation({}, () => undefined);
 * console.assert(location.kind === "kv" && location.path === "./data/tq.db");
 * ```
 */
export function storeLocation(options: StoreOptions, env: ReadEnv = Deno.env.get): StoreLocation {
  const given = chooseOne(STORE_CHOICES.filter((c) => names(options[c.option])), "given");
  const choice = given ?? chooseOne(
    STORE_CHOICES.filter((c) => c.option !== "db" && names(env(c.variable))),
    "set",
  );
  const value = choice && (given ? options[choice.option] : env(choice.variable));
  const prefix = options.redisPrefix ?? env("TQ_REDIS_PREFIX");
  const caFile = options.redisCaFile ?? env("TQ_REDIS_CA_FILE");
  switch (choice?.option) {
    case "redis":
      return { kind: "redis", url: value as string, prefix, caFile };
    case "redisCluster": {
      const replicas = options.redisClusterReplicas ??
        replicaCount(env("TQ_REDIS_CLUSTER_REPLICAS"));
      return { kind: "redis-cluster", urls: splitUrls(value!), prefix, caFile, replicas };
    }
    case "postgres": {
      const schema = options.postgresSchema ?? env("TQ_POSTGRES_SCHEMA");
      return { kind: "postgres", url: value as string, schema };
    }
    default:
      return { kind: "kv", path: (value as string | undefined) ?? env("TQ_DB") ?? DEFAULT_DB };
  }
}
