/**
 * Opening ioredis clients from a `redis://` or `rediss://` (TLS) URL with the user name,
 * password and database number in it. A lost connection is re-opened with exponential
 * backoff (capped at 2 s) and commands wait for it a few retries, so a worker rides out a
 * Redis restart with its running jobs; past that a command fails and the caller's loop
 * tries again. A `rediss://` server whose certificate is not signed by a CA the system
 * trusts is reached by passing that CA (`tlsOptions`, from `--redis-ca-file` /
 * `TQ_REDIS_CA_FILE`); Deno's own `DENO_CERT` works as well.
 *
 * @example
 * ```ts
 * import { redactUrl } from "./connection.ts";
 * console.assert(redactUrl("redis://app:secret@db:6379/0") === "redis://app:***@db:6379/0");
 * ```
 * @module
 */
import { Redis, type RedisOptions } from "ioredis";
import { StoreUnavailableError } from "../../errors.ts";

/** Longest pause between two reconnection attempts. */
export const MAX_BACKOFF_MS = 2_000;

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
