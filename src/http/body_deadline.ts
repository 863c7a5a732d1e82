/**
 * The time a request body has to arrive (`--body-timeout`): past it the app answers 408
 * `request_timeout` with `Connection: close` and stops waiting for the body, so a client
 * that trickles its body holds neither a handler nor a `--max-requests` slot. Deno.serve
 * keeps the socket, waiting for the rest of the body, until the client leaves.
 *
 * Two middlewares share one deadline. `streams`, before anything that reads a body, wraps
 * every body it does not leave to `jsonBodies` in a stream that fails at the deadline,
 * since its readers (the CSRF check of a form, a chunked upload, an oversized body the
 * body limit refuses) read the raw request; wrapping reads nothing. `jsonBodies`, after
 * the host and token checks, reads a JSON body of a declared size within the body limit
 * (every API call) whole, under the deadline, into Hono's body cache, which every reader
 * after it uses: a client refused by those checks never has its body read.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { systemClock } from "../clock.ts";
 * import { bodyDeadlines } from "./body_deadline.ts";
 * const app = new Hono();
 * const deadlines = bodyDeadlines({ ms: 30_000, maxBytes: 1024 * 1024, clock: systemClock });
 * app.use("*", deadlines.streams);
 * // The host and token checks go here.
 * app.use("*", deadlines.jsonBodies);
 * app.post("/echo", async (c) => c.text(await c.req.text()));
 * const res = await app.request("/echo", {
 *   method: "POST",
 *   headers: { "content-type": "application/json", "content-length": "2" },
 *   body: "{}",
 * });
 * console.assert(await res.text() === "{}");
 * ```
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Clock } from "../clock.ts";
import { UniformDeadlines } from "./uniform_deadlines.ts";
import { isJsonType } from "./json_body.ts";

/** How long a body may take, and the largest body read whole up front. */
export interface BodyDeadlineOptions {
  /**
   * Time for a request body to arrive in full, in ms, from when the app takes the request
   * (a JSON body read whole: from the end of the token check, a session lookup at most).
   */
  ms: number;
  /** Bodies declared bigger are not read here (the body limit refuses them unread). */
  maxBytes: number;
  clock: Clock;
}

/** The 408 (an `HTTPException`, so that no reader of a failed body logs it as a 500). */
function timeout(ms: number): HTTPException {
  const message = `the request body did not arrive within ${ms} ms (--body-timeout)`;
  return new HTTPException(408, { message });
}

/** The answer once the deadline has passed: 408, and the connection is not kept. */
function timedOut(c: Context, ms: number): HTTPException {
  c.header("Connection", "close");
  return timeout(ms);
}

/**
 * Whether the body can be read whole into Hono's cache: JSON, of a declared size.
 *
 * @example
 * ```ts ignore
 * if (readsWhole(c, MAX_BODY_BYTES)) await c.req.text();
 * ```
 */
export function readsWhole(c: Context, maxBytes: number): boolean {
  if (!isJsonType(c.req.header("content-type"))) return false;
  const declared = c.req.header("content-length");
  if (declared === undefined || c.req.header("transfer-encoding") !== undefined) return false;
  return Number(declared) <= maxBytes;
}

/** What `read` resolves to, or `undefined` if its deadline passes first. */
function within<T>(read: Promise<T>, deadlines: UniformDeadlines): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const disarm = deadlines.arm(() => resolve(undefined));
    read.then((value) => {
      disarm();
      resolve(value);
    }, (error) => {
      disarm();
      reject(error);
    });
  });
}

/**
 * `request` with a body that fails once `ms` have passed before it was read in full;
 * `timedOut()` says whether it did.
 */
function withDeadline(
  request: Request,
  body: ReadableStream<Uint8Array>,
  deadlines: UniformDeadlines,
  ms: number,
) {
  let timedOut = false;
  const reader = body.getReader();
  let disarm = () => {};
  const wrapped = new ReadableStream<Uint8Array>({
    start(controller) {
      disarm = deadlines.arm(() => {
        timedOut = true;
        try {
          controller.error(timeout(ms));
        } catch {
          // Already closed.
        }
        reader.cancel().catch(() => {});
      });
    },
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          disarm();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        disarm();
        if (!timedOut) controller.error(error);
      }
    },
    cancel(reason) {
      disarm();
      return reader.cancel(reason);
    },
  });
  return {
    request: new Request(request, { body: wrapped, duplex: "half" } as RequestInit),
    timedOut: () => timedOut,
    done: () => disarm(),
  };
}

/** The two halves of the body deadline (see the module doc). */
export interface BodyDeadlines {
  /** Before anything that reads a body: wraps the bodies `jsonBodies` does not read. */
  streams: MiddlewareHandler;
  /** After the host and token checks: reads a JSON body of a declared size whole. */
  jsonBodies: MiddlewareHandler;
  /**
   * Reads a body `readsWhole` accepts into Hono's cache under the deadline, as
   * `jsonBodies` does, and resolves to its text; throws the 408 past the deadline.
   */
  readWhole(c: Context): Promise<string>;
}

/**
 * Middlewares answering 408 to a body that has not arrived within `ms` (see the module
 * doc): `streams` before anything that reads a body, `jsonBodies` after the checks that
 * may refuse a request unread and before anything else that reads a body.
 *
 * @example
 * ```ts ignore
 * const deadlines = bodyDeadlines({ ms: 30_000, maxBytes: MAX_BODY_BYTES, clock });
 * app.use("*", deadlines.streams);
 * secureApp(app, security, deps);
 * app.use("*", deadlines.jsonBodies);
 * ```
 */
export function bodyDeadlines({ ms, maxBytes, clock }: BodyDeadlineOptions): BodyDeadlines {
  const deadlines = new UniformDeadlines(ms, clock);
  const streams: MiddlewareHandler = async (c, next) => {
    const body = c.req.raw.body;
    if (body === null || readsWhole(c, maxBytes)) return await next();
    const deadline = withDeadline(c.req.raw, body, deadlines, ms);
    c.req.raw = deadline.request;
    try {
      await next();
    } finally {
      deadline.done();
    }
    // Whatever a reader made of the failed body (400 invalid JSON, say), the answer is 408.
    if (deadline.timedOut()) throw timedOut(c, ms);
  };
  const readWhole = async (c: Context): Promise<string> => {
    // Past the deadline the read goes on until the client leaves, awaited by nobody.
    const text = await within(c.req.text(), deadlines);
    if (text === undefined) throw timedOut(c, ms);
    return text;
  };
  const jsonBodies: MiddlewareHandler = async (c, next) => {
    if (readsWhole(c, maxBytes)) await readWhole(c);
    await next();
  };
  return { streams, jsonBodies, readWhole };
}
