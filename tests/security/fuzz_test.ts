/**
 * Property-based fuzzing of every documented route (fast-check), on KV and on Redis:
 * random ids, query strings, headers and bodies, with hostile values among them (lone
 * surrogates, NUL and other control characters, numbers beyond the Date range or 2^53,
 * fractions, internal callback URLs). No answer is a 5xx, none takes more than a few
 * seconds, a refused request (4xx) writes nothing (no job, count, batch or pause), and no
 * request, accepted or not, changes a bystander job it does not name. Bodies include bulk
 * (`{jobs}`) and flow (`{nodes}`) shapes; an event stream is judged by its status and
 * headers, then closed.
 */
import fc from "fast-check";
import { assert } from "../assert.ts";
import { ADMIN, documentedRoutes, TOKENS } from "./secure_api.ts";
import type { SecurityOptions } from "../../src/http/auth/mod.ts";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createApp } from "../../src/http/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import type { Store } from "../../src/store/store.ts";
import { registry } from "../../tasks/mod.ts";
import { openStore, STORE_KINDS, type StoreKind } from "./stores.ts";
import { pausedQueues } from "../../src/guards/queue_pauses.ts";
import { batchListOpen } from "../../src/batches/batch_records.ts";

const RUNS_PER_ROUTE = 60;

/** Strings as an attacker sends them: lone surrogates, control characters, U+FFFD. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({
    unit: fc.constantFrom("\ud800", "\udbff", "\udc00", "\ufffd", "\u0000", "\u0085", "\n", "a"),
    maxLength: 6,
  }),
  fc.constantFrom("\ud800", "\udbff", "\ufffd", "a\u0000b", "default", "noop"),
);

/** Numbers as an attacker sends them: beyond the Date range and 2^53, fractions, negatives. */
const nastyNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(8_640_000_000_000_001, 2 ** 53 - 1, 2 ** 53 + 2, 1e308, -1e308, 2 ** 31, -1, 0.5),
);

const callbackUrl = fc.oneof(
  nasty,
  fc.constantFrom(
    "http://127.0.0.1:6379/",
    "http://localhost:8000/queues/default/pause",
    "http://[::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:10.0.0.5]/",
    "https://example.com/hook",
  ),
);

/** A path segment: encodeURIComponent throws on a lone surrogate, so those go raw-encoded. */
const segment = (text: string) =>
  text.isWellFormed()
    ? encodeURIComponent(text)
    : "%ED%A0%80" + encodeURIComponent(text.toWellFormed());
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
  queue: fc.option(nasty),
  priority: fc.option(nastyNumber),
  delay: fc.option(nastyNumber),
  run_at: fc.option(fc.oneof(nasty, nastyNumber, fc.constantFrom("+275760-09-13T00:00:00Z"))),
  max_attempts: fc.option(nastyNumber),
  timeout: fc.option(nastyNumber),
  idempotency_key: fc.option(nasty),
  idempotency_ttl: fc.option(nastyNumber),
  group: fc.option(nasty),
  callback_url: fc.option(callbackUrl),
  depends_on: fc.option(fc.array(nasty, { maxLength: 3 })),
}, { requiredKeys: [] });

/** A valid job but for one hostile field, so the hostile value reaches the checks. */
const oneHostileField = fc.oneof(
  fc.record({ run_at: fc.oneof(nastyNumber, nasty) }),
  fc.record({ delay: nastyNumber }),
  fc.record({ timeout: nastyNumber }),
  fc.record({ priority: nastyNumber }),
  fc.record({ idempotency_key: nasty }),
  fc.record({ idempotency_key: nasty, idempotency_ttl: nastyNumber }),
  fc.record({ group: nasty }),
  fc.record({ queue: nasty }),
  fc.record({ callback_url: callbackUrl }),
).map((field) => JSON.stringify({ task: "noop", input: {}, ...field }));

const jsonish = fc.oneof(
  { arbitrary: oneHostileField, weight: 4 },
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify({ task: "noop", input: v })),
  jobBody.map((v) => JSON.stringify(v)),
  fc.record({
    jobs: fc.oneof(fc.array(jobBody, { maxLength: 5 }), fc.jsonValue()),
    on_complete: fc.option(jobBody),
    idempotency_key: fc.option(nasty),
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
    fc.constantFrom(
      "status",
      "queue",
      "task",
      "limit",
      "cursor",
      "priority",
      "delay",
      "run_at",
      "idempotency_key",
      "group",
      "callback_url",
      "x",
      "",
    ),
    fc.oneof(
      nasty.map((text) => text.toWellFormed()),
      nastyNumber.map(String),
      callbackUrl.map((text) => text.toWellFormed()),
      fc.constantFrom("failed", "-1", "1e3", "9007199254740991"),
    ),
  ),
  { maxLength: 4 },
).map((pairs) => pairs.length ? "?" + new URLSearchParams(pairs).toString() : "");

const id = fc.oneof(
  fc.constant("{id}"),
  fc.string({ maxLength: 300 }).map(encodeURIComponent),
  nasty.map(segment),
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

/** The job ids an accepted answer names (`job_id`, `job_ids`). */
function storedIds(text: string): string[] {
  try {
    const json = JSON.parse(text);
    return [json.job_id, ...(Array.isArray(json.job_ids) ? json.job_ids : [])]
      .filter((id): id is string => typeof id === "string").map(encodeURIComponent);
  } catch {
    return [];
  }
}

/** An API with `security` on a fresh store of `kind`, a seeded job and a bystander. */
async function withFuzzApi(
  kind: StoreKind,
  security: SecurityOptions,
  fn: (api: {
    app: OpenAPIHono;
    real: string;
    snapshot(): Promise<string>;
    bystander(): Promise<string>;
  }) => Promise<void>,
): Promise<void> {
  const { store, close } = await openStore(kind);
  const producer = new Producer({ store, registry });
  const app = createApp({ producer, store, registry, logger: silentLogger, security });
  try {
    const real = (await producer.enqueue({ task: "noop", input: {} })).id;
    // In a queue no request names: nothing a request does may change it.
    const other = (await producer.enqueue({ task: "noop", input: {}, queue: "bystander" })).id;
    await fn({
      app,
      real,
      snapshot: () => snapshot(store),
      async bystander() {
        const job = await store.jobGet(other);
        return JSON.stringify([job?.state, job?.version, job?.runAt, job?.input]);
      },
    });
  } finally {
    await close();
  }
}

/** Every job id, state and version, count, open batch and paused queue. */
async function snapshot(store: Store): Promise<string> {
  const page = await store.jobList({ limit: 1_000 });
  const jobs = page.jobs.map((job) => [job.id, job.state, job.version]);
  const counts = await store.queueCounts();
  const batches = (await batchListOpen(store, { limit: 1_000 })).map(({ batch }) => batch.id);
  return JSON.stringify({ jobs, counts, batches, paused: await pausedQueues(store) });
}

async function fuzz(kind: StoreKind, security: SecurityOptions) {
  await withFuzzApi(kind, security, async ({ app, real, snapshot, bystander }) => {
    const routes = documentedRoutes(app, "{id}");
    assert(routes.length >= 8, `only ${routes.length} routes`);
    const untouched = await bystander();
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
          // One accepted request must not break a listing, nor the pages of what it stored.
          const stored = res.status < 300 && !stream ? storedIds(text) : [];
          const pages = ["/jobs", "/jobs?status=scheduled", "/ui/jobs"];
          for (const jobId of stored) pages.push(`/jobs/${jobId}`, `/ui/jobs/${jobId}`);
          for (const page of pages) {
            const res = await app.request(`http://localhost${page}`, {
              headers: { authorization: `Bearer ${ADMIN}` },
            });
            await res.body?.cancel();
            if (res.status >= 500) {
              throw new Error(
                `after ${method} ${path} ${body.slice(0, 200)}, ${page}: ${res.status}`,
              );
            }
          }
          if (await bystander() !== untouched) {
            throw new Error(`${method} ${path} changed a job it does not name: ${text}`);
          }
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
  });
}

for (const kind of STORE_KINDS) {
  Deno.test(`fuzzing every route without tokens (${kind}): no 5xx, no hang, no stray write`, async () => {
    await fuzz(kind, {});
  });

  Deno.test(`fuzzing every route with tokens set (${kind}): no 5xx, no hang, no stray write`, async () => {
    await fuzz(kind, { tokens: TOKENS });
  });
}
