/**
 * A fresh API over a real KV store in a temp dir, with the app's tasks plus one test task
 * that takes arbitrary data (to reach the store's size limit), a fake clock, and the job
 * statistics of this process flushed as `connect()` does (`/metrics` flushes them first).
 *
 * @example
 * ```ts ignore
 * await withApi(async ({ app, post }) => {
 *   const res = await post("/jobs", { task: "noop", input: {} });
 * });
 * ```
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { FakeClock } from "../../src/clock.ts";
import { createApp } from "../../src/http/mod.ts";
import type { Job } from "../../src/job.ts";
import { silentLogger } from "../../src/log.ts";
import { Producer } from "../../src/producer.ts";
import { defineTask, type Task } from "../../src/registry/define_task.ts";
import { Registry } from "../../src/registry/registry.ts";
import { openKvStore } from "../../src/open_kv_store.ts";
import { StatTally } from "../../src/metrics/stat_tally.ts";
import { StatsFlusher } from "../../src/metrics/stats_flusher.ts";
import type { Store } from "../../src/store/store.ts";
import { registry as appTasks } from "../../tasks/mod.ts";
import { assertEquals } from "../assert.ts";

/** Stores whatever string it is given: lets a test send an input of any size. */
const storeBlob = defineTask({
  name: "store_blob",
  input: z.object({ data: z.string() }),
  handler: () => null,
});

/** Everything a test needs to talk to the API and look behind it. */
export interface Api {
  app: OpenAPIHono;
  store: Store;
  clock: FakeClock;
  registry: Registry;
  /** POSTs `body` as JSON (a string is sent as is, to send broken JSON). */
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string): Promise<Response>;
  /** Enqueues through the API and answers the stored job. */
  enqueue(task: string, input: unknown, options?: Record<string, unknown>): Promise<Job>;
  /** Every job and every count, to prove a refused request wrote nothing. */
  snapshot(): Promise<unknown>;
}

/**
 * Runs `fn` against a fresh API; `wrap` may replace store methods to inject faults, and
 * `tasks` joins the registry (external tasks, say).
 */
export async function withApi(
  fn: (api: Api) => Promise<void>,
  wrap: (store: Store) => Store = (store) => store,
  tasks: Task[] = [],
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tq-http-" });
  const clock = new FakeClock();
  const tally = new StatTally();
  const real = await openKvStore(`${dir}/tq.db`, { clock, onJobsWritten: tally.add });
  const store = wrap(real);
  const stats = new StatsFlusher({ store: real, tally, clock, logger: silentLogger });
  const registry = new Registry([...appTasks.list(), storeBlob, ...tasks]);
  const producer = new Producer({ store, registry, clock });
  const app = createApp({ producer, store, registry, clock, logger: silentLogger, stats });
  const post = async (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    await app.request(path, {
      method: "POST",
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    });
  const get = async (path: string) => await app.request(path);
  const api: Api = {
    app,
    store,
    clock,
    registry,
    post,
    get,
    async enqueue(task, input, options = {}) {
      const res = await post("/jobs", { task, input, ...options });
      assertEquals(res.status, 202, await res.clone().text());
      const { job_id } = await res.json();
      return (await real.jobGet(job_id))!;
    },
    async snapshot() {
      const page = await real.jobList({ limit: 1_000 });
      return { counts: await real.queueCounts(), ids: page.jobs.map((job) => job.id) };
    },
  };
  try {
    await fn(api);
  } finally {
    try {
      real.close();
    } catch {
      // A test may have closed it already (to make the store unavailable).
    }
    await Deno.remove(dir, { recursive: true });
  }
}

/** Asserts an error answer: its status, its code, and the one error body shape. */
export async function assertError(
  res: Response,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  const body = await res.json();
  assertEquals(
    { status: res.status, code: body.error?.code },
    { status, code },
    JSON.stringify(body),
  );
  assertEquals(typeof body.error.message, "string");
  assertEquals(res.headers.get("content-type"), "application/json");
  return body.error;
}

/** Asserts that `request` was refused with `status`/`code` and changed nothing stored. */
export async function assertRefused(
  api: Api,
  request: () => Promise<Response>,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  const before = await api.snapshot();
  const error = await assertError(await request(), status, code);
  assertEquals(await api.snapshot(), before, "a refused request must write nothing");
  return error;
}

/**
 * `store` with some methods replaced. A Proxy rather than `Object.create`: the store's own
 * methods must run with the real store as `this`, because they use private fields.
 */
export function override(store: Store, methods: Partial<Store>): Store {
  return new Proxy(store, {
    get(target, key) {
      if (key in methods) return methods[key as keyof Store];
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
