/**
 * Opening ioredis clients from a `redis://` or `rediss://` (TLS) URL with the user name,
 * password and database number in it. A lost connection is re-opened with exponential
 * backoff (capped at 2 s) and commands wait for it a few retries, so a worker rides out a
 * Redis restart with its running jobs; past that a command fails and the caller's loop
 * tries again.
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
    enableAutoPipelining: true,
    ...overrides,
  };
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
  redis.on("error", () => {}); // reported through the commands that fail
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new StoreUnavailableError(
      `cannot reach Redis at ${redactUrl(url)}: ${(error as Error).message}`,
    );
  }
  redis.options.retryStrategy = clientOptions(overrides).retryStrategy;
  return redis;
}
