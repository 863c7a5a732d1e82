import { Validator } from "@seriousme/openapi-schema-validator";
import { z } from "zod";
import { assert, assertEquals } from "../assert.ts";
import { createApp } from "../../src/http/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { defineTask } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import type { SecurityOptions } from "../../src/http/auth/mod.ts";

const ADMIN = "admin-token-0123456789";

const resize = defineTask({
  name: "resize_image",
  description: "Resizes an image to a width",
  input: z.object({ url: z.url(), width: z.int().positive().default(320) }),
  handler: () => null,
});
const stamp = defineTask({
  name: "stamp",
  input: z.object({ at: z.string().transform((s) => new Date(s)) }),
  handler: () => null,
});

/** The OpenAPI document of an app with these tasks, and the app. */
async function documentOf(security?: SecurityOptions) {
  const store = await openKvStore(":memory:");
  const registry = new Registry([resize, stamp]);
  const producer = new Producer({ store, registry });
  const app = createApp({ producer, store, registry, logger: silentLogger, security });
  const headers = { authorization: `Bearer ${ADMIN}` };
  const doc = await (await app.request("/openapi.json", { headers })).json();
  return { app, doc, headers, close: () => store.close() };
}

Deno.test("the OpenAPI document has one POST /tasks/{name} operation per task, with its input schema", async () => {
  const { app, doc, close } = await documentOf();
  try {
    const result = await new Validator().validate(doc);
    assertEquals(result.errors, undefined, JSON.stringify(result.errors, null, 2));
    const op = doc.paths["/tasks/resize_image"].post;
    assertEquals(op.operationId, "enqueue_resize_image");
    assertEquals(op.description, "Resizes an image to a width");
    const schema = op.requestBody.content["application/json"].schema;
    assertEquals(schema.type, "object");
    assertEquals(schema.required, ["url"]); // width has a default: optional to the sender
    assertEquals(schema.properties.url.format, "uri");
    assert(op.responses["202"] && op.responses["422"]);
    assert(op.parameters.some((p: { name: string }) => p.name === "priority"));
    // A transform JSON Schema cannot express leaves that part open instead of failing.
    assert(doc.paths["/tasks/stamp"].post.requestBody);
    // What the document says is what the route does.
    const res = await app.request("/tasks/resize_image", {
      method: "POST",
      body: JSON.stringify({ url: "https://example.com/a.png" }),
      headers: { "content-type": "application/json" },
    });
    assertEquals(res.status, 202);
    assertEquals(doc.components?.securitySchemes, undefined);
    assertEquals(doc.security, undefined);
  } finally {
    close();
  }
});

Deno.test("the OpenAPI document names a bearerAuth scheme when tokens are on", async () => {
  const { doc, close } = await documentOf({ tokens: { admin: [ADMIN], read: [] } });
  try {
    const result = await new Validator().validate(doc);
    assertEquals(result.errors, undefined, JSON.stringify(result.errors, null, 2));
    assertEquals(doc.components.securitySchemes.bearerAuth.type, "http");
    assertEquals(doc.components.securitySchemes.bearerAuth.scheme, "bearer");
    assertEquals(doc.security, [{ bearerAuth: [] }]);
    assertEquals(doc.paths["/healthz"].get.security, [], "the health check needs no token");
  } finally {
    close();
  }
});
