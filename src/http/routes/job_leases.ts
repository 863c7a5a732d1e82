/**
 * The worker protocol's job side, for a job a protocol worker claimed: heartbeat (extend
 * the lease, report progress), complete, fail, and log. Each names the job's lease token;
 * a token that no longer holds the lease is refused with 409 `lease_lost` and the job's
 * state, and nothing changes. A cancel request shows on the next heartbeat: the job ends
 * canceled there and the heartbeat answers 409. The changes are the transitions TypeScript
 * workers make (`src/transitions/`), written only if the job is still as read.
 *
 * @example
 * ```ts ignore
 * jobLeaseRoutes(app, deps);
 * await app.request(`/jobs/${id}/complete`, { method: "POST",
 *   body: JSON.stringify({ lease_token, result: { ok: true } }) });
 * ```
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { monotonicFactory } from "ulid";
import { InvalidInputError, LeaseLostError, PayloadTooLargeError } from "../../errors.ts";
import { retryDelay } from "../../backoff.ts";
import type { JobProgress } from "../../job.ts";
import {
  cancelJob,
  extendLease,
  failAttempt,
  finishJob,
  reportProgress,
} from "../../transitions/mod.ts";
import { LeaseWriter, readLeased } from "../../protocol/leased_change.ts";
import { checkProgress } from "../../worker/progress.ts";
import { jobLogAppend } from "../../job_log/job_log.ts";
import type { AppDeps } from "../app.ts";
import { isoTime, jobJson } from "../../job_json.ts";
import { errorResponses, JobIdParams, JobSchema, jsonResponse } from "../schemas.ts";

/** How long a job a protocol worker completed is kept, as `tq worker`'s default. */
export const PROTOCOL_RESULT_TTL_MS = 86_400_000;

/** Most lines one `POST /jobs/{id}/log` takes. */
export const MAX_LOG_LINES = 100;

const seq = monotonicFactory();

const LeaseToken = z.string().min(1).max(1_000).openapi({ description: "from the claim" });

const leaseErrors = errorResponses({
  404: "No such job, or not a lease token",
  409: "lease_lost: the token no longer holds the lease (error.state is the job's state)",
  422: "Invalid request",
  503: "Store unavailable",
});

function body<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true };
}

const heartbeatRoute = createRoute({
  method: "post",
  path: "/jobs/{id}/heartbeat",
  summary: "Extend a claimed job's lease, optionally reporting progress (worker protocol)",
  description: "409 lease_lost once the lease is gone, and when the job was canceled " +
    "(it ends canceled then): stop working on it.",
  request: {
    params: JobIdParams,
    body: body(
      z.strictObject({
        lease_token: LeaseToken,
        progress: z.unknown().optional().openapi({ description: "0-100 or a small object" }),
      }).openapi("Heartbeat"),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ lease_expires_at: z.string() }), "The lease, extended"),
    ...leaseErrors,
  },
});

const completeRoute = createRoute({
  method: "post",
  path: "/jobs/{id}/complete",
  summary: "Finish a claimed job with its result (worker protocol)",
  request: {
    params: JobIdParams,
    body: body(
      z.strictObject({
        lease_token: LeaseToken,
        result: z.unknown().optional(),
        progress: z.unknown().optional().openapi({ description: "a last progress report" }),
      }).openapi("Complete"),
    ),
  },
  responses: {
    200: jsonResponse(JobSchema, "The job, finished"),
    ...leaseErrors,
    ...errorResponses({ 413: "The result makes the job too large" }),
  },
});

const failRoute = createRoute({
  method: "post",
  path: "/jobs/{id}/fail",
  summary: "Fail a claimed job's attempt; tq retries it unless retry is false",
  request: {
    params: JobIdParams,
    body: body(
      z.strictObject({
        lease_token: LeaseToken,
        error: z.strictObject({
          message: z.string().max(10_000),
          type: z.string().max(200).optional().openapi({ description: "e.g. ValueError" }),
          stack: z.string().max(20_000).optional().openapi({ description: "a traceback" }),
        }),
        retry: z.boolean().default(true)
          .openapi({ description: "false: unrecoverable, fail for good now" }),
      }).openapi("Fail"),
    ),
  },
  responses: {
    200: jsonResponse(JobSchema, "The job: scheduled for a retry, failed, or canceled"),
    ...leaseErrors,
  },
});

const logRoute = createRoute({
  method: "post",
  path: "/jobs/{id}/log",
  summary: "Append lines to a claimed job's log (shown on its dashboard page)",
  request: {
    params: JobIdParams,
    body: body(
      z.strictObject({
        lease_token: LeaseToken,
        lines: z.array(z.strictObject({
          message: z.string().max(2_000),
          fields: z.record(z.string(), z.unknown()).optional(),
        })).min(1).max(MAX_LOG_LINES),
      }).openapi("LogLines"),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ written: z.int() }), "Lines kept"),
    ...leaseErrors,
  },
});

function progressOf(value: unknown): JobProgress {
  try {
    return checkProgress(value);
  } catch (error) {
    throw new InvalidInputError([{ path: "progress", message: (error as Error).message }]);
  }
}

/**
 * Adds the heartbeat, complete, fail and log routes of claimed jobs to `app`.
 *
 * @example
 * ```ts ignore
 * jobLeaseRoutes(app, deps);
 * ```
 */
export function jobLeaseRoutes(app: OpenAPIHono, deps: AppDeps): void {
  const { store, clock, jobTtlMs } = deps;
  const writer = new LeaseWriter(store);

  app.openapi(heartbeatRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { lease_token: token, progress } = c.req.valid("json");
    const reported = progress === undefined ? undefined : progressOf(progress);
    const now = clock.now();
    const job = await writer.change({ id, token, now }, (job, claim) => {
      if (job.cancelRequested) {
        const reason = job.cancelReason ?? "canceled";
        return cancelJob(job, { now, reason, ttlMs: jobTtlMs, byWorker: true });
      }
      const extended = extendLease(job, { now, leaseMs: claim.leaseMs });
      return reported === undefined ? extended : reportProgress(extended, { progress: reported });
    });
    if (job.state === "canceled") {
      throw new LeaseLostError(id, job.state, `the job was canceled (${job.cancelReason})`);
    }
    return c.json({ lease_expires_at: isoTime(job.leaseExpiresAt)! }, 200);
  });

  app.openapi(completeRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { lease_token: token, result, progress } = c.req.valid("json");
    const reported = progress === undefined ? undefined : progressOf(progress);
    const now = clock.now();
    const job = await writer.change({ id, token, now }, (job) => {
      const last = reported === undefined ? job : reportProgress(job, { progress: reported });
      const after = finishJob(last, { now, result: result ?? null, ttlMs: PROTOCOL_RESULT_TTL_MS });
      const bytes = store.jobBytes(after);
      if (bytes > store.maxJobBytes) {
        throw new PayloadTooLargeError(bytes, store.maxJobBytes, "the job with its result");
      }
      return after;
    });
    return c.json(jobJson(job), 200);
  });

  app.openapi(failRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { lease_token: token, error, retry } = c.req.valid("json");
    const now = clock.now();
    const job = await writer.change({ id, token, now }, (job) =>
      failAttempt(job, {
        now,
        error: { name: error.type ?? "Error", message: error.message, stack: error.stack },
        retryDelayMs: retryDelay(job.backoff, job.attempts),
        ttlMs: jobTtlMs,
        final: !retry,
      }));
    return c.json(jobJson(job), 200);
  });

  app.openapi(logRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { lease_token: token, lines } = c.req.valid("json");
    const now = clock.now();
    const { job } = await readLeased(store, { id, token, now });
    await jobLogAppend(
      store,
      lines.map((line) => ({
        jobId: id,
        seq: seq(now),
        at: now,
        attempt: job.attempts,
        message: line.message,
        ...(line.fields ? { fields: line.fields } : {}),
        workerId: job.workerId,
      })),
    );
    return c.json({ written: lines.length }, 200);
  });
}
