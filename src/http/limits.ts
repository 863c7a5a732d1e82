/**
 * The API's request limits, in one place, and the middleware that enforces those no
 * schema does: URL field lengths and JSON nesting depth. Every refusal is a
 * `LimitExceededError` (422) whose body names the limit (`limit`, `max`) and the field.
 * The body size is capped before reading (`MAX_BODY_BYTES` in `app.ts`, 413) and the page
 * size by the `limit` query schema (`schemas.ts`, 422 naming `limit`).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { LIMITS, requestLimits } from "./limits.ts";
 * const app = new Hono().use("*", requestLimits()).get("/", (c) => c.text("ok"));
 * const res = await app.request("/?cursor=" + "x".repeat(LIMITS.fieldChars + 1));
 * console.assert(res.status !== 200);
 * ```
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { LimitExceededError } from "../errors.ts";
import { checkJsonCharset, isJsonType } from "./json_body.ts";

/** Every limit of a request, by the name its refusal carries. */
export const LIMITS = {
  /** Characters of one query value or path segment (ids, task names, cursors, filters). */
  fieldChars: 256,
  /** Characters of a whole URL path. */
  pathChars: 2_048,
  /** Nesting of arrays and objects in a JSON body. */
  jsonDepth: 32,
} as const;

/**
 * The deepest nesting of arrays and objects in JSON text, counted without parsing it
 * (brackets inside strings do not count), so hostile depth never reaches a parser.
 *
 * @example
 * ```ts
 * import { jsonDepth } from "./limits.ts";
 * console.assert(jsonDepth('{"a":[1,{"b":"[[["}]}') === 3);
 * ```
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{" || char === "[") deepest = Math.max(deepest, ++depth);
    else if (char === "}" || char === "]") depth--;
  }
  return deepest;
}

function tooLong(field: string, length: number, max: number): LimitExceededError {
  return new LimitExceededError(
    "field_chars",
    max,
    `${field} is ${length} characters; the limit is ${max}`,
    { field },
  );
}

/**
 * The path and query of an absolute URL as a `Request` holds it (already parsed, so
 * serialized the way `new URL` would), cut out of the string instead of parsed again.
 */
function pathAndQuery(url: string): { path: string; query: string } {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return { path: "/", query: "" };
  const hash = url.indexOf("#", start);
  const end = hash === -1 ? url.length : hash;
  const question = url.indexOf("?", start);
  if (question === -1 || question > end) return { path: url.slice(start, end), query: "" };
  return { path: url.slice(start, question), query: url.slice(question + 1, end) };
}

/** Refuses URLs with over-long fields before routing. */
function checkUrl(url: string): void {
  const { path, query } = pathAndQuery(url);
  if (path.length > LIMITS.pathChars) {
    throw new LimitExceededError(
      "path_chars",
      LIMITS.pathChars,
      `the URL path is ${path.length} characters; the limit is ${LIMITS.pathChars}`,
    );
  }
  for (const segment of path.split("/")) {
    if (segment.length > LIMITS.fieldChars) {
      throw tooLong("a path segment", segment.length, LIMITS.fieldChars);
    }
  }
  if (query === "") return;
  for (const [name, value] of new URLSearchParams(query)) {
    if (name.length > LIMITS.fieldChars) {
      throw tooLong("a query parameter name", name.length, LIMITS.fieldChars);
    }
    if (value.length > LIMITS.fieldChars) {
      throw tooLong(`query parameter "${name.slice(0, 64)}"`, value.length, LIMITS.fieldChars);
    }
  }
}

/**
 * Enforces {@linkcode LIMITS} on the URL and on JSON bodies (read once; Hono caches the
 * text for the validators that follow).
 *
 * @example
 * ```ts ignore
 * app.use("*", requestLimits());
 * ```
 */
export function requestLimits(): MiddlewareHandler {
  return async (c, next) => {
    checkUrl(c.req.url);
    checkJsonCharset(c.req.header("content-type"));
    if (isJsonType(c.req.header("content-type"))) {
      const depth = jsonDepth(await c.req.text());
      if (depth > LIMITS.jsonDepth) {
        throw new LimitExceededError(
          "json_depth",
          LIMITS.jsonDepth,
          `the JSON body nests ${depth} levels deep; the limit is ${LIMITS.jsonDepth}`,
        );
      }
    }
    await next();
  };
}
