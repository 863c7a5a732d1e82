/**
 * A short way through the app for the request `tq serve` gets most: `POST /jobs` with a
 * plain `{"task": ..., "input": ...}` JSON body. The app's middlewares and the route's
 * validators are ten layers of `await next()`, each holding its frame while the store
 * writes the job, and the router's search for them allocated more than any of them; under
 * load that garbage was most of the server's work. The lane sits in front of the app: it
 * takes a request only when each layer would let it through, decided with the layers' own
 * functions, and answers it itself; any other request, and any body that is not the plain
 * envelope (handed on with the body read), goes through every layer as before.
 *
 * What the lane checks, in the order the layers would:
 * - the host check (`allowedHosts`), the cross-site guard and, with API tokens, an admin
 *   bearer token, all from headers, so a refused client's body is never read;
 * - `Content-Type: application/json` (charset UTF-8 or none), a declared `Content-Length`
 *   within the body limit, no query string (the URL limits);
 * - the body, read whole under the body deadline (408 past it, as `jsonBodies` answers),
 *   within the JSON depth limit, valid JSON, an object of a string `task` and an `input`,
 *   nothing else (which the enqueue schema lets through as it is).
 *
 * It answers as the route does (`enqueueAnswer`), errors through the app's error handler,
 * and sets the security headers. Not taken with CORS origins (that layer adds `Vary`) or
 * under a base path (the URL limits would see a longer path).
 *
 * @example
 * ```ts ignore
 * const onError = createErrorHandler(logger);
 * app.fetch = enqueueLane(app.fetch, { producer, security, maxBodyBytes, onError });
 * ```
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Context } from "hono";
import type { Producer } from "../producer.ts";
import type { SecurityOptions } from "./auth/mod.ts";
import { setSecurityHeaders } from "./auth/headers.ts";
import { hostAllowed } from "./auth/host_check.ts";
import { crossSiteReason } from "./auth/cross_site.ts";
import { bearer } from "./auth/require_token.ts";
import { authRequired, tokenRole } from "./auth/tokens.ts";
import { readsWhole } from "./body_deadline.ts";
import { type EnqueueAnswer, enqueueAnswer, type EnqueueEnvelope } from "./enqueue.ts";
import type { ErrorHandler } from "./error_handler.ts";
import { jsonDepth, LIMITS } from "./limits.ts";

/** A JSON content type the enqueue route's checks all accept. */
const PLAIN_JSON = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** What {@linkcode enqueueLane} needs from the app. */
export interface EnqueueLaneOptions {
  producer: Producer;
  security: SecurityOptions;
  /** The largest body the body limit lets through. */
  maxBodyBytes: number;
  /** Reads a JSON body under the body deadline (`BodyDeadlines.readWhole`); none: no deadline. */
  readWhole?: (c: Context) => Promise<string>;
  /** The app's error handler, for the lane's own failures (408, 422 from the task's input). */
  onError: ErrorHandler;
}

/** An app's `fetch`. */
type Fetch = OpenAPIHono["fetch"];

/**
 * `fetch` with the lane for plain `POST /jobs` requests in front (see the module doc).
 *
 * @example
 * ```ts ignore
 * app.fetch = enqueueLane(app.fetch, { producer, security, maxBodyBytes, onError });
 * ```
 */
export function enqueueLane(fetch: Fetch, options: EnqueueLaneOptions): Fetch {
  const { producer, security, maxBodyBytes, onError } = options;
  const read = options.readWhole ?? ((c: Context) => c.req.text());
  const passes = guardsPass(security);
  // The route's context, made here rather than by an app of this one route: the path is
  // checked already, and the router's match and dispatch were garbage (0.5 KB a request).
  const take = async (c: Context): Promise<Response> => {
    if (!passes(c, maxBodyBytes)) return await fetch(c.req.raw, c.env);
    try {
      const text = await read(c);
      const envelope = plainEnvelope(text);
      if (envelope === undefined) return await fetch(withBody(c.req.raw, text), c.env);
      const { body, status } = await enqueueAnswer(c, envelope, producer);
      return enqueuedResponse(body, status);
    } catch (error) {
      const response = onError(error as Error, c);
      setSecurityHeaders(response.headers);
      return response;
    }
  };
  return (request, env, executionCtx) =>
    request.method === "POST" && isJobsUrl(request.url)
      ? take(new Context(request, { env }))
      : fetch(request, env, executionCtx);
}

/**
 * The answer the route and the security headers make of `body`, with its headers set on the
 * response itself: `c.json` gathers them in a `Headers` of its own that the response then
 * copies, 1.6 KB more garbage a request.
 */
function enqueuedResponse(
  body: EnqueueAnswer["body"],
  status: EnqueueAnswer["status"],
): Response {
  const response = new Response(JSON.stringify(body), { status });
  const headers = response.headers;
  headers.set("content-type", "application/json");
  headers.set("location", body.status_url);
  setSecurityHeaders(headers);
  return response;
}

/** Whether `url`'s path is `/jobs`, with no query. */
function isJobsUrl(url: string): boolean {
  return url.endsWith("/jobs") && url.indexOf("/", url.indexOf("//") + 2) === url.length - 5;
}

/** `request` again, with the body the lane has read from it. */
function withBody(request: Request, text: string): Request {
  return new Request(request, { body: text });
}

/** Whether every layer before the route would let `c` through without reading its body. */
function guardsPass(security: SecurityOptions): (c: Context, maxBodyBytes: number) => boolean {
  const tokens = authRequired(security.tokens) ? security.tokens : undefined;
  const hosts = security.allowedHosts;
  if ((security.corsOrigins ?? []).length > 0) return () => false;
  return (c, maxBodyBytes) => {
    if (!PLAIN_JSON.test(c.req.header("content-type") ?? "")) return false;
    if (!readsWhole(c, maxBodyBytes)) return false;
    if (hosts) {
      const host = c.req.header("host");
      if (host === undefined || !hostAllowed(host, hosts)) return false;
    }
    if (crossSiteReason(c, []) !== null) return false;
    if (tokens === undefined) return true;
    const token = bearer(c);
    return token !== undefined && tokenRole(tokens, token) === "admin";
  };
}

/** The body as the enqueue schema would pass it unchanged, or undefined if it might not. */
function plainEnvelope(text: string): EnqueueEnvelope | undefined {
  if (jsonDepth(text) > LIMITS.jsonDepth) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  for (const key in body) if (key !== "task" && key !== "input") return undefined;
  if (!("input" in body) || !("task" in body) || typeof body.task !== "string") return undefined;
  return { task: body.task, input: body.input };
}
