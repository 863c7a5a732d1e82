/**
 * Request limits: each refusal names its limit and writes nothing.
 */
import { MAX_BULK_JOBS } from "../../src/batches/bulk_enqueue.ts";
import { MAX_FLOW_NODES } from "../../src/flows/plan.ts";
import { MAX_BODY_BYTES } from "../../src/http/app.ts";
import { jsonDepth, LIMITS } from "../../src/http/limits.ts";
import { assert, assertEquals } from "../assert.ts";
import { withSecureApi } from "./secure_api.ts";

const post = (body: string) => ({
  method: "POST",
  body,
  headers: { "content-type": "application/json" },
});

Deno.test("jsonDepth counts nesting and ignores brackets inside strings", () => {
  assertEquals(jsonDepth("1"), 0);
  assertEquals(jsonDepth('[[{"a":"]]]}}}"}]]'), 3);
  assertEquals(jsonDepth('["\\"[["]'), 1);
});

Deno.test("each request limit refuses with a body naming it, and writes nothing", async () => {
  await withSecureApi({}, async ({ app, snapshot }) => {
    const before = await snapshot();
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    const long = "x".repeat(LIMITS.fieldChars + 1);
    const many = (n: number) => Array.from({ length: n }, () => ({ task: "noop", input: {} }));
    const flow = (n: number) => Object.fromEntries(many(n).map((node, i) => [`n${i}`, node]));
    const cases: [string, RequestInit, number, Record<string, unknown>][] = [
      ["/jobs", post(JSON.stringify({ task: "noop", input: JSON.parse(nested(40)) })), 422, {
        limit: "json_depth",
        max: LIMITS.jsonDepth,
      }],
      ["/tasks/noop", post(nested(100_000)), 422, { limit: "json_depth" }],
      ["/jobs", post(" ".repeat(MAX_BODY_BYTES + 1)), 413, { limit: MAX_BODY_BYTES }],
      [`/jobs/${long}`, {}, 422, { limit: "field_chars", max: LIMITS.fieldChars }],
      [`/tasks/${long}`, post("{}"), 422, { limit: "field_chars" }],
      [`/jobs?cursor=${long}`, {}, 422, {
        limit: "field_chars",
        field: 'query parameter "cursor"',
      }],
      [`/jobs?${long}=1`, {}, 422, { limit: "field_chars" }],
      [`/jobs${"/a".repeat(LIMITS.pathChars)}`, {}, 422, { limit: "path_chars" }],
      ["/jobs/bulk", post(JSON.stringify({ jobs: many(MAX_BULK_JOBS + 1) })), 413, {
        limit: "bulk_jobs",
        max: MAX_BULK_JOBS,
      }],
      ["/jobs/bulk", post(JSON.stringify({ jobs: [JSON.parse(nested(40))] })), 422, {
        limit: "json_depth",
      }],
      ["/jobs/bulk", post(" ".repeat(MAX_BODY_BYTES + 1)), 413, { limit: MAX_BODY_BYTES }],
      ["/flows", post(JSON.stringify({ nodes: flow(MAX_FLOW_NODES + 1) })), 413, {
        limit: "flow_nodes",
        max: MAX_FLOW_NODES,
      }],
      ["/flows", post(nested(100)), 422, { limit: "json_depth" }],
      [`/flows/${long}`, {}, 422, { limit: "field_chars" }],
      [`/batches/${long}`, {}, 422, { limit: "field_chars" }],
      [`/jobs/${long}/events`, {}, 422, { limit: "field_chars" }],
      [`/queues/${long}/pause`, post("{}"), 422, { limit: "field_chars" }],
      [`/queues/${long}/resume`, post("{}"), 422, { limit: "field_chars" }],
      [`/schedules/${long}/pause`, post("{}"), 422, { limit: "field_chars" }],
      [`/schedules/${long}/trigger`, post("{}"), 422, { limit: "field_chars" }],
    ];
    for (const [path, init, status, expected] of cases) {
      const res = await app.request(path, init);
      const { error } = await res.json();
      assertEquals(res.status, status, `${path.slice(0, 40)}: ${JSON.stringify(error)}`);
      for (const [key, value] of Object.entries(expected)) {
        assertEquals(error[key], value, `${key} of ${path.slice(0, 40)}`);
      }
      assert(/limit/.test(error.message), error.message);
    }
    assertEquals(await snapshot(), before);
  });
});

Deno.test("the page size is capped: limit over 500 is refused naming the field", async () => {
  await withSecureApi({}, async ({ app }) => {
    const res = await app.request("/jobs?limit=501");
    const { error } = await res.json();
    assertEquals([res.status, error.issues[0].path], [422, "limit"]);
    assert(error.issues[0].message.includes("500"), error.issues[0].message);
    assertEquals((await app.request("/jobs?limit=500")).status, 200);
  });
});

Deno.test("a body within every limit is accepted", async () => {
  await withSecureApi({}, async ({ app }) => {
    const input = { email: "ada@example.com", message: "[".repeat(LIMITS.jsonDepth * 3) };
    const res = await app.request("/tasks/send_notification", post(JSON.stringify(input)));
    assertEquals(res.status, 202, await res.text());
  });
});
