/**
 * Property-based fuzzing of every documented route (fast-check): random ids, query
 * strings, headers and bodies. No answer is a 5xx, none takes more than a few seconds,
 * and a refused request (4xx) writes nothing (no job, count, batch or pause). Bodies
 * include bulk (`{jobs}`) and flow (`{nodes}`) shapes; an event stream is judged by its
 * status and headers, then closed.
 */
import fc from "fast-check";
import { assert } from "../assert.ts";
import { ADMIN, documentedRoutes, TOKENS, withSecureApi } from "./secure_api.ts";
import type { SecurityOptions } from "../../src/http/auth/mod.ts";

const RUNS_PER_ROUTE = 200;
const HANG_MS = 5_000;

const contentType = fc.constantFrom(
  undefined,
  "application/json",
  "application/json; charset=utf-8",
  "application/vnd.api+json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
);

const jobBody = fc.record({
  task: fc.constantFrom("noop", "send_notification", "nope", ""),
  input: fc.jsonValue(),
  queue: fc.option(fc.string()),
  priority: fc.option(fc.oneof(fc.integer(), fc.double())),
  delay: fc.option(fc.integer()),
  run_at: fc.option(fc.oneof(fc.string(), fc.integer())),
  max_attempts: fc.option(fc.integer()),
  timeout: fc.option(fc.integer()),
  idempotency_key: fc.option(fc.string()),
}, { requiredKeys: [] });

const jsonish = fc.oneof(
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify({ task: "noop", input: v })),
  jobBody.map((v) => JSON.stringify(v)),
  fc.record({
    jobs: fc.oneof(fc.array(jobBody, { maxLength: 5 }), fc.jsonValue()),
    on_complete: fc.option(jobBody),
    idempotency_key: fc.option(fc.string()),
  }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.dictionary(
    fc.string({ maxLength: 8 }),
    fc.record({ task: fc.constantFrom("noop", "nope"), input: fc.jsonValue() }).chain((node) =>
      fc.option(fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 })).map((depends_on) =>
        depends_on ? { ...node, depends_on } : node
      )
    ),
    { maxKeys: 6 },
  ).map((nodes) => JSON.stringify({ nodes })),
  fc.string({ unit: "binary", maxLength: 2_000 }),
  fc.integer({ min: 1, max: 60 }).map((n) => "[".repeat(n) + "]".repeat(n)),
);

const queryString = fc.array(
  fc.tuple(
    fc.constantFrom("status", "queue", "task", "limit", "cursor", "priority", "delay", "x", ""),
    fc.oneof(fc.string(), fc.integer().map(String), fc.constantFrom("failed", "-1", "1e3")),
  ),
  { maxLength: 4 },
).map((pairs) => pairs.length ? "?" + new URLSearchParams(pairs).toString() : "");

const id = fc.oneof(
  fc.constant("{id}"),
  fc.string({ maxLength: 300 }).map(encodeURIComponent),
  fc.constantFrom(
    "01JD0000000000000000000000",
    "..",
    "%2e%2e",
    "%00",
    "ZZZZZZZZZZZZZZZZZZZZZZZZZZ",
  ),
);

const headers = fc.record({
  authorization: fc.option(
    fc.oneof(fc.string(), fc.constant(`Bearer ${ADMIN}`), fc.string().map((s) => `Bearer ${s}`)),
  ),
  origin: fc.option(fc.constantFrom("http://localhost", "https://evil.example", "null")),
  "sec-fetch-site": fc.option(fc.constantFrom("same-origin", "cross-site", "none")),
  accept: fc.option(fc.constantFrom("text/html", "application/json", "*/*")),
  cookie: fc.option(fc.string().map((s) => `tq_session=${encodeURIComponent(s)}`)),
}, { requiredKeys: [] });

async function fuzz(security: SecurityOptions) {
  await withSecureApi(security, async ({ app, seed, snapshot }) => {
    const real = await seed();
    const routes = documentedRoutes(app, "{id}");
    assert(routes.length >= 8, `only ${routes.length} routes`);
    for (const [method, template] of routes) {
      await fc.assert(
        fc.asyncProperty(id, queryString, contentType, jsonish, headers, async (
          pick,
          query,
          type,
          body,
          extra,
        ) => {
          const path = template.replace("{id}", pick === "{id}" ? real : pick) + query;
          const sendBody = method !== "GET" && method !== "HEAD";
          const before = await snapshot();
          const all: Record<string, string> = {};
          for (const [k, v] of Object.entries({ ...extra, "content-type": type })) {
            if (typeof v === "string") all[k] = v;
          }
          let timer: ReturnType<typeof setTimeout> | undefined;
          const res = await Promise.race([
            app.request(`http://localhost${path}`, {
              method,
              headers: all,
              body: sendBody ? body : undefined,
            }),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`hang: ${method} ${path}`)), HANG_MS);
            }),
          ]).finally(() => clearTimeout(timer));
          const stream = res.headers.get("content-type")?.startsWith("text/event-stream");
          const text = stream ? "(event stream)" : await res.text();
          if (stream) await res.body?.cancel();
          if (res.status >= 500) {
            throw new Error(`${res.status} for ${method} ${path} ${body.slice(0, 200)}: ${text}`);
          }
          if (res.status >= 400) {
            const after = await snapshot();
            if (after !== before) throw new Error(`refused ${method} ${path} wrote: ${text}`);
          }
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
  });
}

Deno.test("fuzzing every route without tokens: no 5xx, no hang, no write on refusal", async () => {
  await fuzz({});
});

Deno.test("fuzzing every route with tokens set: no 5xx, no hang, no write on refusal", async () => {
  await fuzz({ tokens: TOKENS });
});
