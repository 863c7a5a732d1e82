/**
 * The time a request body has to arrive (`--body-timeout`): past it the app answers 408
 * `request_timeout` with `Connection: close` and stops waiting for the body, so a client
 * that trickles its body holds neither a handler nor a `--max-requests` slot. Deno.serve
 * keeps the socket, waiting for the rest of the body, until the client leaves.
 *
 * A JSON body of a declared size within the body limit (every API call) is read whole
 * here, under the deadline, into Hono's body cache, which every reader after this
 * middleware uses; no stream or `Request` is built around it. Any other body (a form, a
 * chunked upload, an oversized one the body limit refuses) is wrapped in a stream that
 * fails at the deadline, since its readers read the raw request.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { systemClock } from "../clock.ts";
 * import { bodyDeadline } from "./body_deadline.ts";
 * const app = new Hono();
 * app.use("*", bodyDeadline({ ms: 30_000, maxBytes: 1024 * 1024, clock: systemClock }));
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
  /** Time for a request body to arrive in full, from the end of its headers, in ms. */
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

/** Whether the body can be read whole into Hono's cache: JSON, of a declared size. */
function readsWhole(c: Context, maxBytes: number): boolean {
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

/**
 * Middleware answering 408 to a body that has not arrived within `ms` (see the module
 * doc). Put it before anything that reads a body.
 *
 * @example
 * ```ts ignore
 * app.use("*", bodyDeadline({ ms: 30_000, maxBytes: MAX_BODY_BYTES, clock: systemClock }));
 * ```
 */
export function bodyDeadline({ ms, maxBytes, clock }: BodyDeadlineOptions): MiddlewareHandler {
  const deadlines = new UniformDeadlines(ms, clock);
  return async (c, next) => {
    if (readsWhole(c, maxBytes)) {
      // Past the deadline the read goes on until the client leaves, awaited by nobody.
      if (await within(c.req.text(), deadlines) === undefined) throw timedOut(c, ms);
      return await next();
    }
    const body = c.req.raw.body;
    if (body === null) return await next();
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
}
