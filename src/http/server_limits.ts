/**
 * Limits of the server itself, around the app's `fetch` (`tq serve` and `tq start` apply
 * them; an app mounted in another server keeps that server's own): at most
 * `maxRequests` requests handled at once (503 `server_busy` with `Retry-After` beyond),
 * and a request body must arrive within `bodyTimeoutMs` (408 `request_timeout`: the
 * handler stops waiting and frees its slot; the answer says `Connection: close`, but
 * Deno.serve keeps the socket, waiting for the rest of the body, until the client
 * leaves). The cap on event streams is the app's (`maxStreams`, see `stream_slots.ts`),
 * since streams outlive their request's handler.
 *
 * Deno.serve (2.9.6) has no header read timeout, no idle keep-alive timeout and no cap on
 * connections, and gives a handler nothing before a request's headers are complete: a
 * client sending headers slowly, or holding idle connections, costs a socket each until
 * it goes away. Those limits belong to a reverse proxy in front of tq (see SECURITY.md).
 *
 * @example
 * ```ts ignore
 * Deno.serve({ port: 8000 }, limitServer(app.fetch, DEFAULT_SERVER_LIMITS));
 * ```
 * @module
 */

import { HTTPException } from "hono/http-exception";

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

const json = (status: number, code: string, message: string, headers: Record<string, string>) =>
  new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: {
      "content-type": "application/json",
      "x-content-type-options": "nosniff",
      ...headers,
    },
  });

/**
 * `request` with a body that fails once `ms` have passed before it was read in full;
 * `timedOut()` says whether it did.
 */
function withBodyDeadline(request: Request, ms: number) {
  let timedOut = false;
  if (request.body === null) return { request, timedOut: () => false };
  const reader = request.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setTimeout(() => {
        timedOut = true;
        try {
          // An HTTPException: the app answers it as 408, not as an unexpected 500.
          const message = `the request body did not arrive within ${ms} ms (--body-timeout)`;
          controller.error(new HTTPException(408, { message }));
        } catch {
          // Already closed.
        }
        reader.cancel().catch(() => {});
      }, ms);
    },
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          clearTimeout(timer);
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        clearTimeout(timer);
        if (!timedOut) controller.error(error);
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
  const wrapped = new Request(request, { body, duplex: "half" } as RequestInit);
  return { request: wrapped, timedOut: () => timedOut, done: () => clearTimeout(timer) };
}

/**
 * `fetch` under `limits` (see the module doc).
 *
 * @example
 * ```ts ignore
 * Deno.serve({ port: 0 }, limitServer(app.fetch, { maxRequests: 100, bodyTimeoutMs: 5_000 }));
 * ```
 */
export function limitServer(fetch: Fetch, limits: ServerLimits): Fetch {
  let inFlight = 0;
  return async (raw, info) => {
    if (inFlight >= limits.maxRequests) {
      return json(
        503,
        "server_busy",
        `this server is handling ${limits.maxRequests} requests, its limit (--max-requests); ` +
          `try again in 1 s`,
        { "retry-after": "1", connection: "close" },
      );
    }
    inFlight++;
    const { request, timedOut, done } = withBodyDeadline(raw, limits.bodyTimeoutMs);
    try {
      const response = await fetch(request, info);
      if (!timedOut()) return response;
      await response.body?.cancel().catch(() => {});
      return json(
        408,
        "request_timeout",
        `the request body did not arrive within ${limits.bodyTimeoutMs} ms (--body-timeout)`,
        { connection: "close" },
      );
    } finally {
      done?.();
      inFlight--;
    }
  };
}
