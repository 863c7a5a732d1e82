/**
 * An API over a real KV file in a temp dir (or a real redis-server), built with security
 * options, and a fixed snapshot of everything stored, to prove a refused request wrote
 * nothing.
 *
 * @example
 * ```ts ignore
 * await withSecureApi({ tokens: { admin: [ADMIN], read: [READER] } }, async ({ app }) => {
 *   console.assert((await app.request("/jobs")).status === 401);
 * });
 * ```
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Clock } from "../../src/clock.ts";
import type { SecurityOptions } from "../../src/http/auth/mod.ts";
import { createApp } from "../../src/http/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { withLinks } from "../../src/flows/linked_store.ts";
import type { Store } from "../../src/store/store.ts";
import { registry } from "../../tasks/mod.ts";
import { RedisServer } from "../store/redis_server.ts";
import { assertEquals } from "../assert.ts";
import { pausedQueues } from "../../src/guards/queue_pauses.ts";
import { batchListOpen } from "../../src/batches/batch_records.ts";

/** The stores a test may run on. */
export const STORES = ["kv", "redis"] as const;
/** One of {@linkcode STORES}. */
export type StoreKind = typeof STORES[number];

/** The admin token of these tests. */
export const ADMIN = "admin-token-0123456789abcdef";
/** The read-only token of these tests. */
export const READER = "reader-token-0123456789abcdef";
/** Both, as `SecurityOptions.tokens`. */
export const TOKENS = { admin: [ADMIN], read: [READER] };

/** The origin the login helpers post from. */
export const ORIGIN = "http://127.0.0.1:8000";
/** The headers a browser sends with a same-origin form post. */
export const sameOrigin = { origin: ORIGIN, "sec-fetch-site": "same-origin" };

/** Logs in with `token`; answers the cookies set, the `cookie` header to send, and the CSRF value. */
export async function login(app: OpenAPIHono, token: string) {
  const res = await app.request(`${ORIGIN}/login`, {
    method: "POST",
    body: new URLSearchParams({ token, next: "/jobs" }),
    headers: sameOrigin,
  });
  assertEquals(res.status, 303);
  const cookies = res.headers.getSetCookie();
  const cookie = cookies.map((c) => c.split(";")[0]).join("; ");
  const csrf = cookies.find((c) => c.startsWith("tq_csrf="))!.split(";")[0].split("=")[1];
  return { cookies, cookie, csrf };
}

/** What a test gets. */
export interface SecureApi {
  app: OpenAPIHono;
  store: Store;
  /** Every job id, count, open batch and paused queue, in a comparable form. */
  snapshot(): Promise<string>;
  /** Enqueues a `noop` job straight through the producer; answers its id. */
  seed(): Promise<string>;
}

/** Runs `fn` against a fresh API secured with `security`, on KV unless `on.store` says. */
export async function withSecureApi(
  security: SecurityOptions,
  fn: (api: SecureApi) => Promise<void>,
  on: { store?: StoreKind; clock?: Clock } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tq-sec-" });
  const redis = on.store === "redis" ? await RedisServer.start() : undefined;
  const { clock } = on;
  const store = redis
    ? withLinks(await openRedisStore(redis.url, { clock }))
    : await openKvStore(`${dir}/tq.db`, { clock });
  const producer = new Producer({ store, registry, clock });
  const app = createApp({ producer, store, registry, clock, logger: silentLogger, security });
  try {
    await fn({
      app,
      store,
      async snapshot() {
        const page = await store.jobList({ limit: 1_000 });
        const jobs = page.jobs.map((job) => [job.id, job.state, job.version]);
        const counts = await store.queueCounts();
        const batches = (await batchListOpen(store, { limit: 1_000 })).map(({ batch }) => batch.id);
        return JSON.stringify({ jobs, counts, batches, paused: await pausedQueues(store) });
      },
      async seed() {
        return (await producer.enqueue({ task: "noop", input: {} })).id;
      },
    });
  } finally {
    store.close();
    await redis?.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every documented route of `app` as `[method, path]`, with `{id}`/`{task}` filled in. */
export function documentedRoutes(app: OpenAPIHono, id: string): [string, string][] {
  const doc = app.getOpenAPIDocument({ openapi: "3.0.0", info: { title: "tq", version: "0" } });
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item ?? {}).filter((method) =>
      ["get", "post", "put", "patch", "delete"].includes(method)
    ).map((method): [string, string] => [
      method.toUpperCase(),
      path.replace("{id}", id).replace(/\{[a-z_]+\}/g, "noop"),
    ])
  );
}
