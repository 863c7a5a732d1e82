/**
 * `GET /openapi.json`: the API's OpenAPI 3.1 document, generated from the same zod schemas
 * the routes validate requests with; `GET /docs`: an interactive page that lists every
 * operation from that document and sends requests to try them (served by tq, script in
 * `/assets/docs.js`, no CDN).
 *
 * Call {@linkcode openapiRoutes} after every other route: the document lists what is
 * registered by then.
 *
 * @example
 * ```ts ignore
 * openapiRoutes(app, deps);
 * const doc = await (await app.request("/openapi.json")).json();
 * ```
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { html } from "hono/html";
import denoJson from "../../../deno.json" with { type: "json" };
import { page } from "../dashboard/layout.ts";
import { url } from "../base_path.ts";
import type { AppDeps } from "../app.ts";
import { authRequired } from "../auth/tokens.ts";
import { taskOperations } from "./task_operations.ts";

/** The document's `info`. */
export const API_INFO = {
  title: "tq",
  version: denoJson.version,
  description: "Background jobs for TypeScript on Deno: enqueue, inspect and act on jobs.",
};

/**
 * Adds `/openapi.json` (one `POST /tasks/{name}` operation per task, and a `bearerAuth`
 * security scheme when tokens are on), `/docs` and the docs script to `app`.
 *
 * @example
 * ```ts ignore
 * openapiRoutes(app, deps);
 * ```
 */
export function openapiRoutes(app: OpenAPIHono, { registry, security }: AppDeps): void {
  taskOperations(app, registry);
  const tokens = authRequired(security.tokens);
  if (tokens) {
    app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
      type: "http",
      scheme: "bearer",
      description: "An API token (TQ_API_TOKENS); read tokens may only read",
    });
  }
  app.doc31("/openapi.json", () => {
    const base = url("");
    return {
      openapi: "3.1.0",
      info: API_INFO,
      ...(base ? { servers: [{ url: base }] } : {}),
      ...(tokens ? { security: [{ bearerAuth: [] }] } : {}),
    };
  });
  app.get("/docs", async (c) =>
    c.html(
      await page({
        title: "API",
        nav: "api",
        controls: html`<p>The OpenAPI 3.1 document is at <a href="${url("/openapi.json")}">${
          url("/openapi.json")
        }</a>. Open an operation to read it and try it.</p>
<script src="${url("/assets/docs.js")}" defer></script>`,
        body: html`
          <div id="operations">
            <p
              class="muted">The operations are listed by /assets/docs.js; with JavaScript off, read /openapi.json.</p>
          </div>
        `,
      }),
    ));
}
