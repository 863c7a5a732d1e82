/**
 * tq's error answers for any Hono app: `app.onError(tqErrorHandler)` gives a user's own
 * routes the same 4xx JSON that tq's routes give, so an `InvalidInputError` from
 * `task.enqueue()` is a 422 naming the field, not a 500. The statuses come from the one
 * table in `errors.ts`.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { InvalidInputError } from "../errors.ts";
 * import { tqErrorHandler } from "./error_handler.ts";
 * const app = new Hono();
 * app.post("/signup", () => {
 *   throw new InvalidInputError([{ path: "input.email", message: "Invalid email" }]);
 * });
 * app.onError(tqErrorHandler);
 * const res = await app.request("/signup", { method: "POST" });
 * console.assert(res.status === 422);
 * ```
 * @module
 */
import type { Context } from "hono";
import { createLogger, type Logger } from "../log.ts";
import { errorResponse } from "./errors.ts";

/** What Hono's `app.onError` takes. */
export type ErrorHandler = (error: Error, c: Context) => Response;

/**
 * An error handler that logs unexpected (500) errors to `logger`; the answers are those
 * of {@linkcode tqErrorHandler}.
 *
 * @example
 * ```ts ignore
 * app.onError(createErrorHandler(logger));
 * ```
 */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (error, c) => {
    const { status, body } = errorResponse(error);
    if (status === 500) {
      logger.error("http:error", {
        method: c.req.method,
        path: c.req.path,
        error: error instanceof Error ? error.stack ?? error.message : String(error),
      });
    }
    if (status === 503) c.header("Retry-After", "1");
    return c.json(body, status);
  };
}

/**
 * Hono's `app.onError` for tq's errors: a `TqError` (`InvalidInputError`,
 * `UnknownTaskError`, `JobNotFoundError`, …) answers with its status and
 * `{"error": {"code", "message", ...}}`; anything else is a bare 500, logged to stderr.
 *
 * @example
 * ```ts ignore
 * import { tqErrorHandler } from "@tq/tq";
 * const app = new Hono();
 * app.post("/signup", async (c) => c.json(await welcomeEmail.enqueue(await c.req.json())));
 * app.onError(tqErrorHandler);
 * ```
 */
export const tqErrorHandler: ErrorHandler = createErrorHandler(createLogger());
