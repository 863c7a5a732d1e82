/**
 * The security tests' API on each store: a real KV file in a temp dir, and a real
 * redis-server (started once per test file that imports this, stopped when it unloads)
 * with a fresh key prefix per test. `bothStores` registers a test once per store.
 *
 * @example
 * ```ts ignore
 * bothStores("GET /jobs answers", async ({ request }) => {
 *   console.assert((await request("GET", "/jobs")).status === 200);
 * });
 * ```
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createApp } from "../../src/http/mod.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { openRedisStore } from "../../src/store/redis/redis_store.ts";
import { withLinks } from "../../src/flows/linked_store.ts";
import type { Store } from "../../src/store/store.ts";
import { registry } from "../../tasks/mod.ts";
import { RedisServer } from "../store/redis_server.ts";

/** The stores every security case runs on. */
export const STORE_KINDS = ["kv", "redis"] as const;
/** One of {@linkcode STORE_KINDS}. */
export type StoreKind = typeof STORE_KINDS[number];

const redis = await RedisServer.start();
globalThis.addEventListener("unload", () => redis.stopNow());
let prefixes = 0;

/** A fresh store of `kind`, and how to drop it. */
export async function openStore(
  kind: StoreKind,
): Promise<{ store: Store; close(): Promise<void> }> {
  if (kind === "redis") {
    const store = withLinks(await openRedisStore(redis.url, { prefix: `sec${++prefixes}` }));
    return { store, close: () => Promise.resolve(store.close()) };
  }
  const dir = await Deno.makeTempDir({ prefix: "tq-sec-" });
  const store = await openKvStore(`${dir}/tq.db`);
  return {
    store,
    async close() {
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** What a test gets. */
export interface StoreApi {
  kind: StoreKind;
  app: OpenAPIHono;
  store: Store;
  producer: Producer;
  /** Sends `body` as JSON (a string as is) with `headers`; answers the response. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
}

/** Runs `fn` against a fresh API on a store of `kind`. */
export async function withStoreApi(
  kind: StoreKind,
  fn: (api: StoreApi) => Promise<void>,
): Promise<void> {
  const { store, close } = await openStore(kind);
  const producer = new Producer({ store, registry });
  const app = createApp({ producer, store, registry, logger: silentLogger });
  const request = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    Promise.resolve(app.request(`http://localhost${path}`, {
      method,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    }));
  try {
    await fn({ kind, app, store, producer, request });
  } finally {
    await close();
  }
}

/** Registers `name` once per store, as `name (kv)` and `name (redis)`. */
export function bothStores(name: string, fn: (api: StoreApi) => Promise<void>): void {
  for (const kind of STORE_KINDS) {
    Deno.test(`${name} (${kind})`, () => withStoreApi(kind, fn));
  }
}

/** The `error.issues` paths of a 422 answer (asserting it is one). */
export async function refusedPaths(res: Response): Promise<string[]> {
  const text = await res.text();
  if (res.status !== 422) throw new Error(`expected 422, got ${res.status}: ${text}`);
  return (JSON.parse(text).error.issues as { path: string }[]).map((issue) => issue.path);
}
