/**
 * Parses a JSON request body up front so that malformed JSON is our `invalid_json` (400)
 * with the parser's own message, before any validator sees the body. Hono caches the text,
 * so the validators that follow do not read the stream again.
 *
 * @example
 * ```ts
 * import { OpenAPIHono } from "@hono/zod-openapi";
 * import { jsonBody } from "./json_body.ts";
 * const app = new OpenAPIHono();
 * app.post("/echo", jsonBody, async (c) => c.json(await c.req.json()));
 * ```
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { InvalidJsonError } from "../errors.ts";

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Refuses a body labelled JSON that does not parse; lets every other request through.
 *
 * @example
 * ```ts ignore
 * const route = createRoute({ method: "post", path: "/jobs", middleware: [jsonBody] as const });
 * ```
 */
export const jsonBody: MiddlewareHandler = async (c, next) => {
  if (JSON_TYPE.test(c.req.header("content-type") ?? "")) {
    try {
      await c.req.json();
    } catch (error) {
      throw new InvalidJsonError((error as Error).message);
    }
  }
  await next();
};
