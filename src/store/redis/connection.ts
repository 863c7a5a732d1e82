/**
 * Opening ioredis clients from a `redis://` or `rediss://` (TLS) URL with the user name,
 * password and database number in it. A lost connection is re-opened with exponential
 * backoff (capped at 2 s) and commands wait for it a few retries, so a worker rides out a
 * Redis restart with its running jobs; past that a command fails and the caller's loop
 * tries again. A `rediss://` server whose certificate is not signed by a CA the system
 * trusts is reached by passing that CA (`tlsOptions`, from `--redis-ca-file` /
 * `TQ_REDIS_CA_FILE`); Deno's own `DENO_CERT` works as well.
 *
 * A Redis Cluster is opened from the URLs of some of its nodes (`openCluster`): ioredis'
 * `Cluster` client learns the rest, sends each command to the primary of its key's slot and
 * follows the cluster through failovers (`MOVED`, slot refreshes).
 *
 * @example
 * ```ts
 * import { redactUrl } from "./connection.ts";
 * console.assert(redactUrl("redis://app:secret@db:6379/0") === "redis://app:***@db:6379/0");
 * ```
 * @module
 */
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import { StoreUnavailableError } from "../../errors.ts";

/** Longest pause between two reconnection attempts. */
export const MAX_BACKOFF_MS = 2_000;

/** A client of one Redis or of a Redis Cluster: both answer the commands tq sends. */
export type RedisClient = Redis | Cluster;

/** The client settings tq uses; `overrides` win. */
export function clientOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    lazyConnect: true,
    connectTimeout: 5_000,
    // 100, 200, 400 … 2,000 ms: a restart of a few seconds costs no failed command.
    retryStrategy: (times) => Math.min(50 * 2 ** times, MAX_BACKOFF_MS),
    maxRetriesPerRequest: 8,
    // Auto-pipelining stays off: it holds each command until the next task to send it with
    // others, a delay on every round trip (enqueue→start, claims), and tq already sends its
    // writes in batches (one script per batch of jobs).
    ...overrides,
  };
}

/**
 * Client settings for a `rediss://` server signed by the CA in the PEM file `caFile`
 * (none without a file); `StoreUnavailableError` if the file cannot be read or the URL
 * is not `rediss://` (a CA for a plain connection is a mistake worth saying).
 *
 * @example
 * ```ts ignore
 * const tls = await tlsOptions("rediss://redis.internal:6380", "/etc/tq/redis-ca.pem");
 * const redis = await openClient("rediss://redis.internal:6380", tls);
 * ```
 */
export async function tlsOptions(url: string, caFile?: string): Promise<RedisOptions> {
  if (caFile === undefined) return {};
  if (!url.startsWith("rediss://")) {
    throw new StoreUnavailableError(
      `a Redis CA file (${caFile}) needs a rediss:// URL; got ${redactUrl(url)}`,
    );
  }
  try {
    return { tls: { ca: await Deno.readTextFile(caFile) } };
  } catch (error) {
    throw new StoreUnavailableError(
      `cannot read the Redis CA file ${caFile}: ${(error as Error).message}`,
    );
  }
}

/** The URL with its password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    return "(unparsable URL)";
  }
}

/**
 * A connected client for `url`; throws `StoreUnavailableError` naming the (redacted) URL
 * when Redis cannot be reached or refuses the credentials.
 *
 * @example
 * ```ts ignore
 * const redis = await openClient("rediss://tq:secret@redis.internal:6380");
 * ```
 */
export async function openClient(url: string, overrides: RedisOptions = {}): Promise<Redis> {
  if (!/^rediss?:\/\//.test(url)) {
    throw new StoreUnavailableError(`not a Redis URL (redis:// or rediss://): ${redactUrl(url)}`);
  }
  // While opening, fail at once rather than retry: a wrong URL should say so quickly.
  const redis = new Redis(url, clientOptions({ ...overrides, retryStrategy: () => null }));
  // Reported through the commands that fail; while opening, the socket's own error (a TLS
  // certificate refused, say) says more than ioredis's "Connection is closed".
  let socketError: Error | undefined;
  redis.on("error", (error) => socketError ??= error);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const reason = [error as Error, socketError].filter((e): e is Error => e !== undefined)
      .map((e) => e.message).filter((m, i, all) => all.indexOf(m) === i).join(": ");
    throw new StoreUnavailableError(`cannot reach Redis at ${redactUrl(url)}: ${reason}`);
  }
  redis.options.retryStrategy = clientOptions(overrides).retryStrategy;
  return redis;
}

/**
 * The settings of a cluster client for the nodes at `urls` (`redis://` or `rediss://`,
 * host and port each; user and password taken from the first URL that has them and used
 * for every node); `StoreUnavailableError` for a URL that is not one, or names a database
 * other than 0 (a Cluster has only database 0).
 */
export function clusterOptions(
  urls: readonly string[],
  overrides: RedisOptions = {},
): { nodes: { host: string; port: number }[]; options: ClusterOptions } {
  if (urls.length === 0) throw new StoreUnavailableError("a Redis Cluster needs at least one URL");
  const parsed = urls.map((url) => {
    if (!/^rediss?:\/\//.test(url)) {
      throw new StoreUnavailableError(
        `not a Redis URL (redis:// or rediss://): ${redactUrl(url)}`,
      );
    }
    const parsed = new URL(url);
    if (!["", "/", "/0"].includes(parsed.pathname)) {
      throw new StoreUnavailableError(
        `a Redis Cluster has only database 0; got ${redactUrl(url)}`,
      );
    }
    return parsed;
  });
  const credentials = parsed.find((url) => url.username || url.password);
  const tls = parsed.some((url) => url.protocol === "rediss:");
  const { retryStrategy: _, ...redisOptions } = clientOptions(overrides);
  return {
    nodes: parsed.map((url) => ({ host: url.hostname, port: Number(url.port || 6379) })),
    options: {
      lazyConnect: true,
      // 100, 200, 400 … 2,000 ms between attempts to reach any node again.
      clusterRetryStrategy: (times) => Math.min(50 * 2 ** times, MAX_BACKOFF_MS),
      // A command to a primary that just died is retried every 200 ms, 16 times at most:
      // long enough for a replica to take over (cluster-node-timeout plus an election).
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
      redisOptions: {
        ...redisOptions,
        username: credentials ? decodeURIComponent(credentials.username) || undefined : undefined,
        password: credentials ? decodeURIComponent(credentials.password) || undefined : undefined,
        tls: tls ? { ...overrides.tls } : undefined,
      },
    },
  };
}

/**
 * A connected client of the Redis Cluster that the nodes at `urls` belong to; throws
 * `StoreUnavailableError` naming the (redacted) URLs when none can be reached, or the
 * cluster refuses the credentials or is not ok.
 *
 * @example
 * ```ts ignore
 * const cluster = await openCluster(["redis://10.0.0.5:7000", "redis://10.0.0.6:7000"]);
 * ```
 */
export async function openCluster(
  urls: readonly string[],
  overrides: RedisOptions = {},
): Promise<Cluster> {
  const { nodes, options } = clusterOptions(urls, overrides);
  // While opening, fail at once rather than retry: a wrong URL should say so quickly.
  const cluster = new Cluster(nodes, { ...options, clusterRetryStrategy: () => null });
  // Reported through the commands that fail; while opening, the nodes' own errors (a
  // password refused, say) say more than "None of startup nodes is available".
  let errors: Error[] | undefined = [];
  cluster.on("error", (error: Error & { lastNodeError?: Error }) => {
    errors?.push(error.lastNodeError ?? error);
  });
  cluster.on("node error", (error: Error) => errors?.push(error));
  try {
    await cluster.connect();
    errors = undefined;
  } catch (error) {
    cluster.disconnect();
    const reason = [error as Error, ...errors ?? []].map((e) => e.message)
      .filter((m, i, all) => all.indexOf(m) === i).join(": ");
    throw new StoreUnavailableError(
      `cannot reach the Redis Cluster at ${urls.map(redactUrl).join(",")}: ${reason}`,
    );
  }
  cluster.options.clusterRetryStrategy = options.clusterRetryStrategy;
  return cluster;
}
