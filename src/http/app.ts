/**
 * The HTTP producer API as one Hono app: enqueue jobs, look at them, retry, cancel or
 * delete them, count queues, check health. `Deno.serve(app.fetch)` serves it; tests call
 * `app.request(...)` without a server.
 *
 * @example
 * ```ts ignore
 * import { Producer } from "../producer.ts";
 * import { registry } from "../../tasks/mod.ts";
 * import { createApp } from "./app.ts";
 * const app = createApp({ producer: new Producer({ store, registry }), store, registry });
 * Deno.serve({ port: 8000 }, app.fetch);
 * ```
 * @module
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { type Clock, systemClock } from "../clock.ts";
import { TqError } from "../errors.ts";
import { createLogger, type Logger } from "../log.ts";
import type { Producer } from "../producer.ts";
import type { Registry } from "../registry/registry.ts";
import type { Store } from "../store/store.ts";
import type { Schedule } from "../scheduler/schedule.ts";
import { secureApp, type SecurityOptions } from "./auth/mod.ts";
import { validationHook } from "./errors.ts";
import { createErrorHandler } from "./error_handler.ts";
import { basePathMiddleware, checkBasePath, stripBasePath } from "./base_path.ts";
import { bodyDeadlines } from "./body_deadline.ts";
import { enqueueLane } from "./enqueue_lane.ts";
import { requestLimits } from "./limits.ts";
import { DEFAULT_MAX_STREAMS, StreamSlots } from "./stream_slots.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { openapiRoutes } from "./routes/openapi.ts";
import { queueRetryRoutes } from "./routes/queue_retry.ts";
import { dashboardRoutes } from "./dashboard/mod.ts";
import { jobActionRoutes } from "./routes/job_actions.ts";
import { jobBulkActionRoutes } from "./routes/job_bulk_actions.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { bulkRoutes } from "./routes/bulk.ts";
import { batchRoutes } from "./routes/batches.ts";
import { flowRoutes } from "./routes/flows.ts";
import { queueRoutes } from "./routes/queues.ts";
import { scheduleRoutes } from "./routes/schedules.ts";
import { queueActionRoutes } from "./routes/queue_actions.ts";
import { taskRoutes } from "./routes/tasks.ts";
import { jobEventRoutes } from "./routes/events.ts";
import { sendEventRoutes } from "./routes/send_event.ts";
import { doctorRoutes } from "./routes/doctor.ts";
import { workerClaimRoutes } from "./routes/worker_claim.ts";
import { jobLeaseRoutes } from "./routes/job_leases.ts";

/** Largest request body read at all; bigger ones are refused before parsing. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** How long a job canceled through the API is kept by default: 7 days, as failed jobs. */
export const DEFAULT_JOB_TTL_MS = 7 * 24 * 3_600_000;

/** What {@linkcode createApp} needs. */
export interface AppOptions {
  /** Validates and stores new jobs (a `Producer`). */
  producer: Producer;
  store: Store;
  registry: Registry;
  /** The time of retries and cancels (the wall clock). */
  clock?: Clock;
  /**
   * This process's job statistics not written yet (`connect()`'s `stats`): flushed before
   * `/metrics` and the dashboard read, so they count what this process did up to then.
   */
  stats?: { flush(): Promise<void> };
  /** How long a job canceled through the API is kept before the pruner deletes it. */
  jobTtlMs?: number;
  /** Where unexpected (500) errors are logged. */
  logger?: Logger;
  /** The recurring jobs `/schedules` shows and acts on (checked, from `compileSchedules`). */
  schedules?: Schedule[];
  /** API tokens and CORS origins (`auth/mod.ts`); by default no token is needed. */
  security?: SecurityOptions;
  /** Aborts when the server stops: long polls (`POST /worker/claim`) answer at once. */
  stopping?: AbortSignal;
  /**
   * The prefix the app is mounted under in your own server, such as `/admin/tq`: every
   * link, form, script, redirect, the live stream and the OpenAPI server URL carry it.
   * Mount with `app.route("/admin/tq", tqApp)` in Hono, or pass requests with full paths
   * to `tqApp.fetch` (none by default: the app is the whole server).
   */
  basePath?: string;
  /** Event streams open at once at most; beyond, 503 with `Retry-After` (default 1,000). */
  maxStreams?: number;
  /**
   * Time for a request body to arrive in full, in ms; later, 408 (`body_deadline.ts`).
   * None by default: a server the app is mounted in has its own (`tq serve` sets it).
   */
  bodyTimeoutMs?: number;
}

/** What every route group gets: the options with their defaults filled in. */
export type AppDeps = Required<Omit<AppOptions, "bodyTimeoutMs">> & {
  /** The open event streams, counted against `maxStreams`. */
  streams: StreamSlots;
};

/**
 * Builds the API. Route groups live in `routes/`; this wires the parts every route shares:
 * the body limit, validation failures as 422, and one error format.
 *
 * @example
 * ```ts ignore
 * const app = createApp({ producer, store, registry });
 * const res = await app.request("/healthz");
 * // Inside your own server, under a prefix:
 * const admin = createApp({ producer, store, registry, basePath: "/admin/tq" });
 * yourHonoApp.route("/admin/tq", admin);
 * ```
 */
export function createApp(options: AppOptions): OpenAPIHono {
  // Field by field, not a spread: callers pass bigger objects (a `Connection`), and an
  // explicit `undefined` must still get the default.
  const deps: AppDeps = {
    producer: options.producer,
    store: options.store,
    registry: options.registry,
    clock: options.clock ?? systemClock,
    stats: options.stats ?? { flush: () => Promise.resolve() },
    jobTtlMs: options.jobTtlMs ?? DEFAULT_JOB_TTL_MS,
    logger: options.logger ?? createLogger(),
    schedules: options.schedules ?? [],
    security: options.security ?? {},
    stopping: options.stopping ?? new AbortController().signal,
    basePath: checkBasePath(options.basePath),
    maxStreams: options.maxStreams ?? DEFAULT_MAX_STREAMS,
    streams: new StreamSlots(options.maxStreams ?? DEFAULT_MAX_STREAMS),
  };
  const app = new OpenAPIHono({ defaultHook: validationHook });
  // First: everything after it writes URLs with the prefix.
  if (deps.basePath) app.use("*", basePathMiddleware(deps.basePath));
  const deadlines = options.bodyTimeoutMs === undefined
    ? undefined
    : bodyDeadlines({ ms: options.bodyTimeoutMs, maxBytes: MAX_BODY_BYTES, clock: deps.clock });
  // Before anything reads a body (the CSRF check of a form among them).
  if (deadlines) app.use("*", deadlines.streams);
  secureApp(app, deps.security, deps);
  // After the host and token checks, which read no JSON body: a refused client's is never read.
  if (deadlines) app.use("*", deadlines.jsonBodies);

  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError(c) {
        // Without a Content-Length the body was counted only up to the limit.
        const declared = c.req.header("content-length");
        const size = declared ? `${declared} bytes` : "larger than the limit";
        throw new TqError(
          "payload_too_large",
          `request body is ${size}; the limit is ${MAX_BODY_BYTES} bytes. Store large data ` +
            `elsewhere and pass a reference such as a URL or a key instead`,
          { limit: MAX_BODY_BYTES },
        );
      },
    }),
  );
  // After the size cap: the limits read the (capped) body.
  app.use("*", requestLimits());

  jobRoutes(app, deps);
  jobEventRoutes(app, deps);
  sendEventRoutes(app, deps);
  bulkRoutes(app, deps);
  batchRoutes(app, deps);
  jobActionRoutes(app, deps);
  jobBulkActionRoutes(app, deps);
  taskRoutes(app, deps);
  queueRoutes(app, deps);
  healthRoutes(app, deps);
  scheduleRoutes(app, deps);
  queueActionRoutes(app, deps);
  metricsRoutes(app, deps);
  queueRetryRoutes(app, deps);
  flowRoutes(app, deps);
  doctorRoutes(app, deps);
  workerClaimRoutes(app, deps); // the worker protocol, for workers in other languages
  jobLeaseRoutes(app, deps);
  dashboardRoutes(app, deps);
  // Last: the document lists the routes registered before it.
  openapiRoutes(app, deps);

  app.notFound((c) =>
    c.json({ error: { code: "not_found", message: `no route ${c.req.method} ${c.req.path}` } }, 404)
  );
  const onError = createErrorHandler(deps.logger);
  app.onError(onError);
  if (deps.basePath) app.fetch = stripBasePath(deps.basePath, app.fetch);
  else {
    const { producer, security } = deps;
    const readWhole = deadlines?.readWhole;
    const maxBodyBytes = MAX_BODY_BYTES;
    app.fetch = enqueueLane(app.fetch, { producer, security, maxBodyBytes, readWhole, onError });
  }
  return app;
}
