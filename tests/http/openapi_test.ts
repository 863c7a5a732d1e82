import { Validator } from "@seriousme/openapi-schema-validator";
import { assert, assertEquals } from "../assert.ts";
import { withApi } from "./setup.ts";

/** Routes that serve people or files rather than the API: the document leaves them out. */
const NOT_API = /^\/(ui\/|assets\/|docs$|openapi\.json$|$)|^\/login|^\/logout/;

/** Hono's `:param` paths in OpenAPI's `{param}` form. */
const openapiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, "{$1}");

Deno.test("/openapi.json is a valid OpenAPI 3.1 document listing every API route", async () => {
  await withApi(async ({ app, get }) => {
    const res = await get("/openapi.json");
    assertEquals(res.status, 200);
    const doc = await res.json();
    assertEquals(doc.openapi, "3.1.0");
    const result = await new Validator().validate(doc);
    assertEquals(result.errors, undefined, JSON.stringify(result.errors, null, 2));
    assert(result.valid);

    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, object>)) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const routes = app.routes
      .filter((r) => r.method !== "ALL" && !NOT_API.test(r.path))
      .map((r) => `${r.method} ${openapiPath(r.path)}`);
    assert(routes.length >= 10, routes.join(", "));
    for (const route of routes) assert(documented.has(route), `${route} is not documented`);
    assert(documented.has("GET /metrics") && documented.has("POST /queues/{name}/retry-failed"));
  });
});

Deno.test("the document's enqueue body comes from the schema that validates it", async () => {
  await withApi(async ({ get, post }) => {
    const doc = await (await get("/openapi.json")).json();
    const body = doc.paths["/jobs"].post.requestBody.content["application/json"].schema;
    assertEquals(body.required, ["task"]);
    assertEquals(body.properties.priority.maximum, 1000);
    const refused = await post("/jobs", { task: "noop", input: {}, priority: 1001 });
    assertEquals(refused.status, 422);
  });
});

Deno.test("/docs is served by tq with its script, and renders without inline script", async () => {
  await withApi(async ({ get }) => {
    const res = await get("/docs");
    assertEquals(res.status, 200);
    const text = await res.text();
    assert(text.includes('<script src="/assets/docs.js" defer></script>'));
    assert(!/<script(?![^>]*\bsrc=)[^>]*>/.test(text), "inline script");
    const script = await get("/assets/docs.js");
    assertEquals(script.status, 200);
    assert((await script.text()).includes('fetch(base + "/openapi.json"'));
  });
});
