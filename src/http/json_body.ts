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
import { InvalidJsonError, UnsupportedMediaTypeError } from "../errors.ts";

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Whether a Content-Type says JSON (`application/json`, `application/problem+json`, with
 * or without parameters).
 *
 * @example
 * ```ts
 * import { isJsonType } from "./json_body.ts";
 * console.assert(isJsonType("application/json; charset=utf-8"));
 * console.assert(!isJsonType("text/plain") && !isJsonType(undefined));
 * ```
 */
export function isJsonType(contentType: string | undefined): contentType is string {
  return contentType !== undefined && JSON_TYPE.test(contentType);
}

/**
 * Refuses a body labelled JSON that does not parse; lets every other request through.
 *
 * @example
 * ```ts ignore
 * const route = createRoute({ method: "post", path: "/jobs", middleware: [jsonBody] as const });
 * ```
 */
export const jsonBody: MiddlewareHandler = async (c, next) => {
  if (isJsonType(c.req.header("content-type"))) {
    try {
      await c.req.json();
    } catch (error) {
      throw new InvalidJsonError((error as Error).message);
    }
  }
  await next();
};

/**
 * Refuses a JSON body declared in a charset other than UTF-8 (`charset=utf-16`, say):
 * JSON is UTF-8 (RFC 8259) and reading other bytes as UTF-8 would store something else
 * than was sent. A Content-Type without a charset, or another media type, passes.
 *
 * @example
 * ```ts
 * import { checkJsonCharset } from "./json_body.ts";
 * checkJsonCharset("application/json; charset=UTF-8");
 * let refused = false;
 * try { checkJsonCharset("application/json; charset=utf-16"); } catch { refused = true; }
 * console.assert(refused);
 * ```
 */
export function checkJsonCharset(contentType: string | undefined): void {
  if (!isJsonType(contentType)) return;
  const match = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType);
  if (!match) return;
  const charset = match[1].toLowerCase();
  if (charset !== "utf-8" && charset !== "utf8") {
    throw new UnsupportedMediaTypeError(
      `charset "${match[1]}" is not supported: send JSON as UTF-8 (charset=utf-8 or none)`,
    );
  }
}
