/**
 * The prefix the API and dashboard are mounted under (`createApp({ basePath: "/admin/tq" })`).
 * Routes are registered without it, so the app mounts with `app.route("/admin/tq", tqApp)`
 * in a Hono app, or takes full paths through its own `fetch` in `Deno.serve`. Every URL tq
 * writes (links, forms, scripts, redirects, the live stream) goes through {@linkcode url},
 * which adds the prefix of the request being answered.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { basePathMiddleware, url } from "./base_path.ts";
 * const app = new Hono();
 * app.use("*", basePathMiddleware("/admin/tq"));
 * app.get("/", (c) => c.redirect(url("/ui/jobs")));
 * const res = await app.request("/");
 * console.assert(res.headers.get("location") === "/admin/tq/ui/jobs");
 * ```
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Context, MiddlewareHandler } from "hono";

const current = new AsyncLocalStorage<string>();

/**
 * Checks a base path: "" (none), or "/" followed by segments, without a trailing slash.
 *
 * @example
 * ```ts
 * import { checkBasePath } from "./base_path.ts";
 * console.assert(checkBasePath("/admin/tq/") === "/admin/tq");
 * console.assert(checkBasePath(undefined) === "");
 * ```
 */
export function checkBasePath(basePath: string | undefined): string {
  const trimmed = (basePath ?? "").replace(/\/+$/, "");
  if (trimmed !== "" && !/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/.test(trimmed)) {
    throw new TypeError(`basePath "${basePath}" must look like "/admin/tq"`);
  }
  return trimmed;
}

/**
 * Runs the rest of the request with `basePath` as the prefix {@linkcode url} adds.
 *
 * @example
 * ```ts ignore
 * app.use("*", basePathMiddleware("/admin/tq"));
 * ```
 */
export function basePathMiddleware(basePath: string): MiddlewareHandler {
  return (_c, next) => current.run(basePath, next);
}

/**
 * `path` (absolute within tq, such as `/ui/jobs`) as the browser must ask for it.
 *
 * @example
 * ```ts
 * import { url } from "./base_path.ts";
 * console.assert(url("/ui/jobs") === "/ui/jobs"); // outside a request: no prefix
 * console.assert(url("/") === "/");
 * ```
 */
export function url(path: string): string {
  const base = current.getStore() ?? "";
  // The root is the prefix itself (`/admin/tq`, `/admin/tq?done=…`): Hono's `app.route()`
  // mounts the app's "/" there, without a trailing slash.
  if (base && (path === "/" || path.startsWith("/?"))) return base + path.slice(1);
  return base + path;
}

/**
 * The request's path within tq: without the prefix, however the app was mounted.
 *
 * @example
 * ```ts ignore
 * if (localPath(c) === "/login") return await next();
 * ```
 */
export function localPath(c: Context): string {
  const base = current.getStore() ?? "";
  const path = c.req.path;
  if (base === "" || (path !== base && !path.startsWith(`${base}/`))) return path;
  return path.slice(base.length) || "/";
}

/**
 * A fetch handler that also takes full paths (`/admin/tq/ui/jobs`), for a plain
 * `Deno.serve`: the prefix is taken off before `fetch` routes the request.
 *
 * @example
 * ```ts
 * import { stripBasePath } from "./base_path.ts";
 * const seen: string[] = [];
 * const fetch = stripBasePath("/admin/tq", (req: Request) => {
 *   seen.push(new URL(req.url).pathname);
 *   return new Response("ok");
 * });
 * await fetch(new Request("http://localhost/admin/tq/ui/jobs"));
 * console.assert(seen[0] === "/ui/jobs");
 * ```
 */
export function stripBasePath<A extends unknown[]>(
  basePath: string,
  fetch: (request: Request, ...rest: A) => Response | Promise<Response>,
): (request: Request, ...rest: A) => Response | Promise<Response> {
  return (request, ...rest) => {
    const target = new URL(request.url);
    const path = target.pathname;
    if (path === basePath || path.startsWith(`${basePath}/`)) {
      target.pathname = path.slice(basePath.length) || "/";
      request = new Request(target, request);
    }
    return fetch(request, ...rest);
  };
}
