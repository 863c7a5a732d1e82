import { Hono } from "hono";
import { z } from "zod";
import { assertEquals } from "../assert.ts";
import { createErrorHandler, defineTask, Registry, tqErrorHandler } from "../../src/mod.ts";
import { createLogger } from "../../src/log.ts";
import { createTestQueue } from "../../src/testing/mod.ts";

const signup = defineTask({
  name: "welcome_email",
  input: z.object({ email: z.email() }),
  handler: () => null,
});

/** A user's own Hono app whose route enqueues with `task.enqueue()`. */
function userApp(onError = tqErrorHandler) {
  const app = new Hono();
  app.post("/signup", async (c) => c.json(await signup.enqueue(await c.req.json()), 201));
  app.onError(onError);
  return app;
}

const post = (app: Hono, body: unknown) =>
  app.request("/signup", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });

Deno.test("tqErrorHandler answers an InvalidInputError from task.enqueue() with 422 naming the field", async () => {
  await using _queue = await createTestQueue({ registry: new Registry([signup]) });
  const res = await post(userApp(), { email: "not an email" });
  assertEquals(res.status, 422);
  const body = await res.json();
  assertEquals(body.error.code, "invalid_input");
  assertEquals(body.error.issues.map((i: { path: string }) => i.path), ["input.email"]);
  assertEquals((await post(userApp(), { email: "ada@example.com" })).status, 201);
});

Deno.test("tqErrorHandler gives an unknown task 404 and anything else a bare 500", async () => {
  await using queue = await createTestQueue({ registry: new Registry([signup]) });
  const lines: string[] = [];
  const app = new Hono();
  app.post(
    "/other",
    async (c) => c.json(await queue.producer.enqueue({ task: "nope", input: {} })),
  );
  app.post("/boom", () => {
    throw new Error("secret internals");
  });
  app.onError(createErrorHandler(createLogger({ write: (line) => lines.push(line) })));
  const unknown = await app.request("/other", { method: "POST" });
  assertEquals([unknown.status, (await unknown.json()).error.code], [404, "unknown_task"]);
  const boom = await app.request("/boom", { method: "POST" });
  assertEquals(await boom.json(), {
    error: { code: "internal", message: "internal server error" },
  });
  assertEquals(boom.status, 500);
  assertEquals(lines.length, 1);
});
