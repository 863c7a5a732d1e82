/**
 * Limits of the server itself (`tq serve` and `tq start` apply them; an app mounted in
 * another server keeps that server's own): at most `maxRequests` requests handled at once
 * (503 `server_busy` with `Retry-After` beyond), around the app's `fetch`, and a request
 * body must arrive within `bodyTimeoutMs` (408 `request_timeout`), which the app enforces
 * where it reads bodies (its `bodyTimeoutMs`, see `body_deadline.ts`). The cap on event
 * streams is the app's too (`maxStreams`, see `stream_slots.ts`), since streams outlive
 * their request's handler.
 *
 * Deno.serve (2.9.6) has no header read timeout, no idle keep-alive timeout and no cap on
 * connections, and gives a handler nothing before a request's headers are complete: a
 * client sending headers slowly, or holding idle connections, costs a socket each until
 * it goes away. Those limits belong to a reverse proxy in front of tq (see SECURITY.md).
 *
 * @example
 * ```ts ignore
 * const app = createApp({ ...connection, bodyTimeoutMs: DEFAULT_SERVER_LIMITS.bodyTimeoutMs });
 * Deno.serve({ port: 8000 }, limitServer(app.fetch, DEFAULT_SERVER_LIMITS));
 * ```
 * @module
 */

/** The server's limits. */
export interface ServerLimits {
  /** Requests handled at once at most (a stream counts until its headers are sent). */
  maxRequests: number;
  /** Time for a request body to arrive in full, from the end of its headers, in ms. */
  bodyTimeoutMs: number;
}

/** The defaults of `tq serve` and `tq start`. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxRequests: 1_024,
  bodyTimeoutMs: 30_000,
};

type Fetch = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/** The 503 beyond `maxRequests`, written here: the app is not asked at all. */
function busy(maxRequests: number): Response {
  const message = `this server is handling ${maxRequests} requests, its limit ` +
    `(--max-requests); try again in 1 s`;
  return new Response(JSON.stringify({ error: { code: "server_busy", message } }), {
    status: 503,
    headers: {
      "content-type": "application/json",
      "x-content-type-options": "nosniff",
      "retry-after": "1",
      connection: "close",
    },
  });
}

/**
 * `fetch` with at most `limits.maxRequests` requests at once (see the module doc).
 *
 * @example
 * ```ts ignore
 * Deno.serve({ port: 0 }, limitServer(app.fetch, { maxRequests: 100 }));
 * ```
 */
export function limitServer(fetch: Fetch, limits: Pick<ServerLimits, "maxRequests">): Fetch {
  let inFlight = 0;
  return async (request, info) => {
    if (inFlight >= limits.maxRequests) return busy(limits.maxRequests);
    inFlight++;
    try {
      return await fetch(request, info);
    } finally {
      inFlight--;
    }
  };
}
