/**
 * The worker protocol's worker side: `POST /worker/claim` hands ready jobs of external
 * tasks to a worker in any language, each with a lease token (`src/protocol/`);
 * `POST /worker/beat` keeps the worker listed on the workers page while it is busy, and
 * `POST /worker/stop` removes it. The job side is `job_leases.ts`.
 *
 * @example
 * ```ts ignore
 * workerClaimRoutes(app, deps);
 * await app.request("/worker/claim", { method: "POST", body: JSON.stringify({
 *   queues: ["python"], limit: 4, lease_ms: 30000, wait_ms: 10000, worker: "py-1" }) });
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppDeps } from "../app.ts";
import { isoTime } from "../../job_json.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";
import { protocolClaim } from "../../protocol/claim.ts";
import { PROTOCOL_BEAT_TTL_MS, protocolWorkerRecord } from "../../protocol/presence.ts";
import { workerBeat, workerRemove } from "../../presence/worker_registry.ts";

/** Shortest time between two registry entries a worker's claims write. */
const CLAIM_BEAT_MS = 1_000;
/** Workers whose last claim beat is remembered (the oldest is forgotten first). */
const MAX_TRACKED_WORKERS = 10_000;

/** Longest long poll of one claim. */
export const MAX_WAIT_MS = 60_000;

const WorkerName = z.string().regex(/^[A-Za-z0-9_.:@-]{1,128}$/, "1-128 letters, digits, _ . : @ -")
  .openapi({ example: "py-web-1:4242" });
const Queues = z.array(z.string().min(1).max(64)).min(1).max(50);

/** What a worker says of itself, in claims and beats. */
const Presence = {
  worker: WorkerName,
  host: z.string().max(255).optional(),
  pid: z.int().min(0).optional(),
  concurrency: z.int().min(1).max(10_000).optional(),
  running: z.array(z.string().max(64)).max(10_000).optional()
    .openapi({ description: "ids of the jobs the worker runs now (for the workers page)" }),
  started_at: z.int().min(0).optional().openapi({ description: "epoch ms the worker started" }),
};

const ClaimBody = z.strictObject({
  queues: Queues.openapi({ description: "queues of external tasks, in priority order" }),
  limit: z.int().min(1).max(100).default(1),
  lease_ms: z.int().min(1_000).max(3_600_000).default(30_000)
    .openapi({ description: "lease per job; heartbeat within it or the job is rescued" }),
  wait_ms: z.int().min(0).max(MAX_WAIT_MS).default(0)
    .openapi({ description: "long poll: wait this long for a job when none is ready" }),
  ...Presence,
}).openapi("WorkerClaim");

const ClaimedJob = z.object({
  id: z.string(),
  task: z.string(),
  input: z.unknown(),
  attempt: z.int(),
  max_attempts: z.int(),
  lease_token: z.string(),
  lease_expires_at: z.string().nullable(),
  parents: z.record(z.string(), z.unknown())
    .openapi({ description: "results of the jobs this one depends on, by id" }),
}).openapi("ClaimedJob");

const claimRoute = createRoute({
  method: "post",
  path: "/worker/claim",
  summary: "Claim ready jobs of external tasks (worker protocol)",
  description: "The same claim as tq worker's (priority, run-at, rate limits, groups, " +
    "pauses). Waits up to wait_ms for a job when none is ready; answers an empty list then.",
  request: { body: { content: { "application/json": { schema: ClaimBody } }, required: true } },
  responses: {
    200: jsonResponse(z.object({ jobs: z.array(ClaimedJob) }), "Claimed jobs (maybe none)"),
    ...errorResponses({
      422: "Invalid request, or a queue without external tasks",
      503: "Store unavailable",
    }),
  },
});

const BeatBody = z.strictObject({ queues: Queues, ...Presence }).openapi("WorkerBeat");

const beatRoute = createRoute({
  method: "post",
  path: "/worker/beat",
  summary: "Keep a protocol worker listed on the workers page",
  request: { body: { content: { "application/json": { schema: BeatBody } }, required: true } },
  responses: {
    200: jsonResponse(z.object({ expires_at: z.string() }), "Listed until expires_at"),
    ...errorResponses({ 422: "Invalid request", 503: "Store unavailable" }),
  },
});

const stopRoute = createRoute({
  method: "post",
  path: "/worker/stop",
  summary: "Remove a protocol worker from the workers page (it stopped)",
  request: {
    body: {
      content: { "application/json": { schema: z.strictObject({ worker: WorkerName }) } },
      required: true,
    },
  },
  responses: {
    204: { description: "Removed" },
    ...errorResponses({ 422: "Invalid request", 503: "Store unavailable" }),
  },
});

/**
 * Adds `/worker/claim`, `/worker/beat` and `/worker/stop` to `app`.
 *
 * @example
 * ```ts ignore
 * workerClaimRoutes(app, deps);
 * ```
 */
export function workerClaimRoutes(
  app: OpenAPIHono,
  { store, registry, clock, logger, stopping }: AppDeps,
): void {
  const lastBeat = new Map<string, number>();
  app.openapi(claimRoute, async (c) => {
    const body = c.req.valid("json");
    const claimed = await protocolClaim({ store, registry, clock, logger }, {
      queues: body.queues,
      worker: body.worker,
      limit: body.limit,
      leaseMs: body.lease_ms,
      waitMs: body.wait_ms,
      signal: AbortSignal.any([c.req.raw.signal, stopping]),
    });
    // Claims come often: the entry is written at most once a second per worker (beats
    // keep it fresh in between).
    const now = clock.now();
    if (now - (lastBeat.get(body.worker) ?? 0) >= CLAIM_BEAT_MS) {
      lastBeat.set(body.worker, now);
      if (lastBeat.size > MAX_TRACKED_WORKERS) lastBeat.delete(lastBeat.keys().next().value!);
      const running = [...(body.running ?? []), ...claimed.map(({ job }) => job.id)];
      const worker = protocolWorkerRecord({ ...body, running, startedAt: body.started_at }, now);
      await workerBeat(store, { worker, ttlMs: PROTOCOL_BEAT_TTL_MS });
    }
    const jobs = claimed.map(({ job, leaseToken, parents }) => ({
      id: job.id,
      task: job.task,
      input: job.input,
      attempt: job.attempts,
      max_attempts: job.maxAttempts,
      lease_token: leaseToken,
      lease_expires_at: isoTime(job.leaseExpiresAt),
      parents,
    }));
    return c.json({ jobs }, 200);
  });

  app.openapi(beatRoute, async (c) => {
    const body = c.req.valid("json");
    const worker = protocolWorkerRecord({ ...body, startedAt: body.started_at }, clock.now());
    await workerBeat(store, { worker, ttlMs: PROTOCOL_BEAT_TTL_MS });
    return c.json({ expires_at: isoTime(worker.expiresAt)! }, 200);
  });

  app.openapi(stopRoute, async (c) => {
    await workerRemove(store, { id: c.req.valid("json").worker });
    return c.body(null, 204);
  });
}
