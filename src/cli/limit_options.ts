/**
 * The server limit options of `tq serve` and `tq start` (see `src/http/server_limits.ts`
 * and `src/http/stream_slots.ts`; SECURITY.md says what is left to a reverse proxy).
 *
 * @example
 * ```ts ignore
 * const limits = limitSettings({ "max-streams": "200" }); // { maxStreams: 200, ... }
 * ```
 * @module
 */
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from "../http/server_limits.ts";
import { DEFAULT_MAX_STREAMS } from "../http/stream_slots.ts";
import { parseDuration, parseInteger, UsageError } from "./args.ts";

/** Options shared by `serve` and `start`. */
export const LIMIT_OPTIONS = {
  "max-requests": { type: "string" },
  "max-streams": { type: "string" },
  "body-timeout": { type: "string" },
} as const;

/** Help text for {@linkcode LIMIT_OPTIONS}. */
export const LIMIT_HELP =
  `  --max-requests N        requests handled at once at most (env TQ_MAX_REQUESTS;
                          default ${DEFAULT_SERVER_LIMITS.maxRequests}); beyond, 503 with Retry-After
  --max-streams N         event streams open at most (env TQ_MAX_STREAMS; default ${DEFAULT_MAX_STREAMS});
                          beyond, 503 with Retry-After
  --body-timeout DURATION time for a request body to arrive (env TQ_BODY_TIMEOUT;
                          default ${
    DEFAULT_SERVER_LIMITS.bodyTimeoutMs / 1_000
  }s); later, 408 (the handler lets go;
                          the socket stays until the client closes it)`;

/** The values `parse` returns for {@linkcode LIMIT_OPTIONS}. */
export interface LimitValues {
  "max-requests"?: string;
  "max-streams"?: string;
  "body-timeout"?: string;
}

/** The server's limits and the app's stream cap, checked. */
export type LimitSettings = ServerLimits & { maxStreams: number };

/**
 * The limits from the options or the environment, checked (`UsageError` otherwise).
 *
 * @example
 * ```ts ignore
 * const { maxRequests, maxStreams, bodyTimeoutMs } = limitSettings({});
 * ```
 */
export function limitSettings(values: LimitValues): LimitSettings {
  const env = (name: string) => Deno.env.get(name);
  const requests = values["max-requests"] ?? env("TQ_MAX_REQUESTS");
  const streams = values["max-streams"] ?? env("TQ_MAX_STREAMS");
  const body = values["body-timeout"] ?? env("TQ_BODY_TIMEOUT");
  const bodyTimeoutMs = body === undefined
    ? DEFAULT_SERVER_LIMITS.bodyTimeoutMs
    : parseDuration("--body-timeout", body);
  if (bodyTimeoutMs < 100) throw new UsageError("--body-timeout: at least 100ms");
  return {
    maxRequests: requests === undefined
      ? DEFAULT_SERVER_LIMITS.maxRequests
      : parseInteger("--max-requests", requests, 1, 1_000_000),
    maxStreams: streams === undefined
      ? DEFAULT_MAX_STREAMS
      : parseInteger("--max-streams", streams, 0, 1_000_000),
    bodyTimeoutMs,
  };
}
